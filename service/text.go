package service

import (
	"strings"

	"github.com/cienerp/cienerp/ent/schema"
)

// checkText adds field's failure when value is longer than max characters
// or holds a NUL: the schema's own rule (schema.Text), checked up front so
// that every field's problem is reported at once, before any write.
func checkText(verr *ValidationError, field, value string, max int) {
	if e := schema.CheckText(value, max); e != nil {
		verr.Add(field, "%s", textMessage(fieldLabel(field), e))
	}
}

// fieldLabel is how messages name a field: tax_id → "Tax id".
func fieldLabel(field string) string {
	label := strings.ReplaceAll(field, "_", " ")
	return strings.ToUpper(label[:1]) + label[1:]
}
