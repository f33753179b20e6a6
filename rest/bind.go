package rest

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"reflect"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/cienerp/cienerp/edge"
	"github.com/cienerp/cienerp/service"
)

// bindJSON decodes the body into dst (a pointer to a struct with json tags)
// field by field, so that every problem is reported against its field:
// unknown fields and wrong types are 422, malformed JSON is 400, an
// oversized body 413, a non-JSON content type 415.
func bindJSON(c *gin.Context, dst any) error {
	raw, err := edge.JSONBody(c)
	if err != nil {
		return edge.BodyError(err)
	}
	if len(strings.TrimSpace(string(raw))) == 0 {
		raw = []byte("{}")
	} else if ct := c.GetHeader("Content-Type"); ct != "" {
		if mt, _, _ := mime.ParseMediaType(ct); mt != "application/json" {
			return service.Fail(service.KindUnsupported, "unsupported_media_type", "Send the body as application/json.")
		}
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) || errors.Is(err, io.ErrUnexpectedEOF) || !json.Valid(raw) {
			p := service.Fail(service.KindBadRequest, "malformed_json", "The request body is not valid JSON.")
			p.Fields = map[string][]string{"body": {"The body must be a valid JSON object."}}
			return p
		}
		return service.Invalid("body", "The body must be a JSON object.")
	}
	if fields == nil { // null
		return service.Invalid("body", "The body must be a JSON object, not null: send {} for no fields.")
	}
	verr := &service.ValidationError{}
	v := reflect.ValueOf(dst).Elem()
	known := map[string]bool{}
	for i := 0; i < v.NumField(); i++ {
		name, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		known[name] = true
		val, ok := fields[name]
		if !ok {
			continue
		}
		if err := json.Unmarshal(val, v.Field(i).Addr().Interface()); err != nil {
			verr.Add(name, "The %s field must be %s.", name, describe(v.Field(i).Type()))
		}
	}
	for name := range fields {
		if !known[name] {
			verr.Add(name, "The %s field is not allowed.", name)
		}
	}
	return verr.OrNil()
}

var (
	uuidType = reflect.TypeOf(uuid.UUID{})
	timeType = reflect.TypeOf(time.Time{})
)

// describe names what a Go type accepts, for messages.
func describe(t reflect.Type) string {
	if t.Kind() == reflect.Pointer {
		return describe(t.Elem())
	}
	if t.Kind() == reflect.Struct && strings.HasPrefix(t.Name(), "Opt[") {
		return describe(t.Field(2).Type) // Opt[T].V
	}
	switch {
	case t == uuidType:
		return "a valid id (UUID)"
	case t == timeType:
		return "an RFC 3339 date-time, e.g. 2026-12-31T23:59:59Z"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int32, reflect.Int64:
		return "an integer"
	case reflect.Slice:
		return "an array of " + strings.TrimPrefix(strings.TrimPrefix(describe(t.Elem()), "a "), "an ") + "s"
	}
	return "of the documented type"
}
