// Package pos declares the point-of-sale module: register sessions and
// sales.
package pos

import "github.com/cienerp/cienerp/module"

const (
	SalesView      = "pos.sales.view"
	SalesCreate    = "pos.sales.create"
	SessionsManage = "pos.sessions.manage"
)

const (
	SessionOpened module.Change = "pos.session.opened"
	SessionClosed module.Change = "pos.session.closed"
	SaleCreated   module.Change = "pos.sale.created"
)

// The operations and the permission each needs: REST routes name these,
// GraphQL fields are listed in them.
var (
	ManageSessions = module.Op{Permission: SessionsManage, GraphQL: []string{"Query.posSessions", "Mutation.openPosSession", "Mutation.closePosSession"}}
	ViewSales      = module.Op{Permission: SalesView, GraphQL: []string{"Query.posSales"}}
	CreateSale     = module.Op{Permission: SalesCreate, GraphQL: []string{"Mutation.createPosSale"}}
)

// Module is the declaration the registry (modules.All) lists.
var Module = module.Module{
	Name: "pos",
	Tag:  "Finance & POS",
	Permissions: []module.Permission{
		{Name: SalesView, Description: "List and read point-of-sale sales.", Object: "pos_sale"},
		{Name: SalesCreate, Description: "Ring up point-of-sale sales.", Object: "pos_sale"},
		{Name: SessionsManage, Description: "Open, close, list and read register sessions.", Object: "pos_session"},
	},
	Grants: map[string][]string{
		"admin":      {"pos.*"},
		"accountant": {SalesView},
		"cashier":    {SalesView, SalesCreate, SessionsManage},
		"viewer":     {SalesView},
	},
	Conditions: map[string]map[string]string{
		"cashier": {
			SessionsManage: `{"opened_by": {"_eq": "$user"}}`,
			SalesView:      `{"created_by": {"_eq": "$user"}}`,
			SalesCreate:    `{"created_by": {"_eq": "$user"}}`,
		},
	},
	Objects: []module.Object{
		{Type: "pos_session", Schema: "PosSession", View: SessionsManage, Events: []module.Event{
			{Change: SessionOpened, Description: "A register session was opened.", Was: []string{"pos_session.open"}},
			{Change: SessionClosed, Description: "A register session was closed and its cash counted.", Was: []string{"pos_session.close"}},
		}, Fields: []module.Field{
			{Name: "opened_by", Kind: module.KindSubject},
			{Name: "register", Kind: module.KindString},
			{Name: "status", Kind: module.KindEnum, Values: []string{"open", "closed"}},
			{Name: "created_at", Kind: module.KindTime},
		}},
		{Type: "pos_sale", Schema: "PosSale", View: SalesView, Events: []module.Event{
			{Change: SaleCreated, Description: "A point-of-sale sale was rung up.", Was: []string{"pos_sale.create"}},
		}, Relations: []module.Relation{{Name: "invoice", Object: "invoice", Ref: "invoice_id"}, {Name: "session", Object: "pos_session", Ref: "session_id"}},
			Fields: []module.Field{
				{Name: "session_id", Kind: module.KindID},
				{Name: "created_by", Kind: module.KindSubject},
				{Name: "currency", Kind: module.KindString},
				{Name: "created_at", Kind: module.KindTime},
			}},
	},
	Ops: []module.Op{ManageSessions, ViewSales, CreateSale},
}
