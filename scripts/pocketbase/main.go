// Command pocketbase is PocketBase 0.36 with one extra command, seed, for
// scripts/bench: a "members" auth collection with a tenant field, and a
// "tickets" collection whose list and view rules keep each tenant's rows to
// itself (the shape of our REST list: tenant-filtered, newest first), with
// 40 tickets in the benchmarked tenant and 40 in another.
package main

import (
	"fmt"
	"log"

	"github.com/pocketbase/pocketbase"
	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"
)

func main() {
	app := pocketbase.New()
	app.RootCmd.AddCommand(&cobra.Command{
		Use:   "seed",
		Short: "Create the benchmark's collections, a member of tenant bench and 80 tickets",
		RunE: func(*cobra.Command, []string) error {
			members := core.NewAuthCollection("members")
			members.Fields.Add(&core.TextField{Name: "tenant"})
			if err := app.Save(members); err != nil {
				return fmt.Errorf("members: %w", err)
			}
			tickets := core.NewBaseCollection("tickets")
			tickets.Fields.Add(
				&core.TextField{Name: "tenant", Required: true},
				&core.NumberField{Name: "number"},
				&core.TextField{Name: "title"},
				&core.TextField{Name: "description"},
				&core.TextField{Name: "status"},
				&core.TextField{Name: "priority"},
				&core.TextField{Name: "requester"},
				&core.TextField{Name: "created_by"},
				&core.AutodateField{Name: "created", OnCreate: true},
				&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
			)
			rule := "tenant = @request.auth.tenant"
			tickets.ListRule, tickets.ViewRule = &rule, &rule
			tickets.AddIndex("idx_tickets_tenant_created", false, "tenant, created", "")
			if err := app.Save(tickets); err != nil {
				return fmt.Errorf("tickets: %w", err)
			}
			m := core.NewRecord(members)
			m.SetEmail("agent@bench.test")
			m.SetPassword("bench-password-123")
			m.Set("tenant", "bench")
			if err := app.Save(m); err != nil {
				return fmt.Errorf("member: %w", err)
			}
			for _, tenant := range []string{"bench", "other"} {
				for i := 1; i <= 40; i++ {
					t := core.NewRecord(tickets)
					t.Set("tenant", tenant)
					t.Set("number", i)
					t.Set("title", fmt.Sprintf("Seeded ticket %d", i))
					t.Set("status", "open")
					t.Set("priority", "normal")
					t.Set("requester", m.Id)
					t.Set("created_by", "user:"+m.Id)
					if err := app.Save(t); err != nil {
						return fmt.Errorf("ticket: %w", err)
					}
				}
			}
			return nil
		},
	})
	if err := app.Start(); err != nil {
		log.Fatal(err)
	}
}
