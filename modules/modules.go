// Package modules is the registry: every module's declaration, in the
// order the catalogs, the default roles and the API reference list them.
// Adding a module is one line here.
package modules

import (
	"github.com/cienerp/cienerp/module"
	"github.com/cienerp/cienerp/modules/admin"
	"github.com/cienerp/cienerp/modules/documents"
	"github.com/cienerp/cienerp/modules/finance"
	"github.com/cienerp/cienerp/modules/itsupport"
	"github.com/cienerp/cienerp/modules/pos"
	"github.com/cienerp/cienerp/modules/settings"
)

// All lists the declarations.
func All() []module.Module {
	return []module.Module{
		itsupport.Module,
		documents.Module,
		finance.Module,
		pos.Module,
		settings.Module,
		admin.Module,
	}
}
