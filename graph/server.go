package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"entgo.io/contrib/entgql"
	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/google/uuid"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/cienerp/cienerp/ent"
	"github.com/cienerp/cienerp/realtime"
	"github.com/cienerp/cienerp/service"
)

// newHandler builds the GraphQL server with only the transports it needs
// (POST, GET for queries, multipart for uploads, WebSocket for
// subscriptions). The edge in front of it has already authenticated the
// caller and put the viewer in the request context (a socket, in its
// connection_init).
func newHandler(client *ent.Client, svc *service.Service, limits Limits, hub *realtime.Hub) http.Handler {
	cfg := Config{Resolvers: &Resolver{Client: client, Service: svc, Hub: hub}}
	for _, e := range entities {
		e.cost(&cfg)
	}
	es := NewExecutableSchema(cfg)
	srv := handler.New(es)
	srv.AddTransport(websocket()) // first: GET would take an upgrade for a query
	srv.AddTransport(httpGET{})
	srv.AddTransport(httpPOST{})
	srv.AddTransport(multipartUploads{maxFileBytes: svc.Limits.MaxBytes})
	// Parsed and validated queries are kept: frontends send the same few,
	// and may send just their hash (Apollo's automatic persisted queries).
	// Only queries of a sane size are kept, so hostile texts cannot pin memory.
	srv.SetQueryCache(smallEntries[*ast.QueryDocument]{lru.New[*ast.QueryDocument](1000), func(query string, _ *ast.QueryDocument) int { return len(query) }})
	srv.Use(extension.AutomaticPersistedQuery{Cache: smallEntries[string]{lru.New[string](1000), func(_, query string) int { return len(query) }}})
	srv.Use(operationLimits{limits: limits, schema: es})
	srv.Use(costReport{})
	srv.AroundFields(requireOps(opPermissions(), groupedFields()))
	srv.AroundOperations(func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		if socketFrom(ctx) != nil {
			if err := admitOnSocket(ctx); err != nil {
				return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{presentError(ctx, err)}})
			}
		}
		return next(withPrefetches(ctx))
	})
	srv.SetErrorPresenter(presentError)
	srv.SetRecoverFunc(func(ctx context.Context, p any) error {
		slog.ErrorContext(ctx, "graphql panic", "panic", p)
		return errors.New("internal error")
	})
	return withTimeout(srv, limits.Timeout)
}

// withTimeout gives every request a time budget: resolvers and the
// queries below them stop when it runs out, as they do when the client
// hangs up (net/http cancels the request's context). A socket lasts as
// long as it is open; it gets its socket instead.
func withTimeout(h http.Handler, d time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
			h.ServeHTTP(w, withSocket(r))
			return
		}
		if d <= 0 {
			h.ServeHTTP(w, r)
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		h.ServeHTTP(w, r.WithContext(ctx))
	})
}

// maxCachedQueryBytes bounds the text of a query the caches keep.
const maxCachedQueryBytes = 16 << 10

// smallEntries is a query cache that keeps only queries up to
// maxCachedQueryBytes (size says how long an entry's query is): 1000
// hostile 1 MiB texts would otherwise stay in memory for good.
type smallEntries[T any] struct {
	graphql.Cache[T]
	size func(key string, value T) int
}

func (c smallEntries[T]) Add(ctx context.Context, key string, value T) {
	if c.size(key, value) <= maxCachedQueryBytes {
		c.Cache.Add(ctx, key, value)
	}
}

// MaxPage bounds first and last.
const MaxPage = 100

// connectionCost counts a connection as its page size times what each
// node asks for, so that a wide or deep query is refused before it runs.
func connectionCost[O, W any](child int, _ *entgql.Cursor[uuid.UUID], first *int, _ *entgql.Cursor[uuid.UUID], last *int, _ O, _ W) int {
	n := MaxPage
	switch {
	case first != nil:
		n = *first
	case last != nil:
		n = *last
	}
	return 1 + n*max(child, 1)
}

// pageSize refuses first/last outside 1..MaxPage.
func pageSize(first, last *int) error {
	verr := &service.ValidationError{}
	for name, v := range map[string]*int{"first": first, "last": last} {
		if v != nil && (*v < 0 || *v > MaxPage) {
			verr.Add(name, "%s must be between 0 and %d.", name, MaxPage)
		}
	}
	return verr.OrNil()
}

// presentError gives every error an extensions.code and never internal
// text: the platform's errors as service.ProblemOf describes them (as REST
// does), gqlgen's own as they are.
func presentError(ctx context.Context, err error) *gqlerror.Error {
	gerr := graphql.DefaultErrorPresenter(ctx, err)
	var parsed *gqlerror.Error
	if errors.As(err, &parsed) && errors.Unwrap(parsed) == nil {
		// gqlgen's own: a parse, validation or complexity error of the query,
		// or a body that is not a GraphQL request at all.
		if _, ok := gerr.Extensions["code"]; !ok {
			gerr.Extensions = map[string]any{"code": "BAD_REQUEST"}
		}
		return gerr
	}
	p := service.ProblemOf(err)
	if p.Unexpected() && badArgument(ctx) {
		field := argumentPath(ctx, gerr)
		msg := "Invalid value: " + rootCause(err).Error() + "."
		if field == "after" || field == "before" {
			msg = "Not a cursor of this connection: pass a pageInfo.endCursor or startCursor you were given."
		}
		p = service.ProblemOf(service.Invalid(field, "%s", msg))
	}
	switch p.Kind {
	case service.KindUnavailable:
		slog.WarnContext(ctx, "dependency unavailable", "code", p.Code, "error", err.Error())
	case service.KindUnexpected:
		slog.ErrorContext(ctx, "graphql request failed", "error", err.Error())
	}
	ext := extensions(p)
	gerr.Message, gerr.Extensions = p.Message, ext
	return gerr
}

// SDL is the schema in the GraphQL schema language, for download.
func SDL() string {
	var b strings.Builder
	formatter.NewFormatter(&b).FormatSchema(NewExecutableSchema(Config{}).Schema())
	return b.String()
}

// badArgument reports whether the error being presented came from reading
// the field's arguments (a malformed UUID, cursor or time in a variable):
// gqlgen leaves the field's Args unset when they fail to parse.
func badArgument(ctx context.Context) bool {
	fc := graphql.GetFieldContext(ctx)
	return fc != nil && fc.Field.Field != nil && fc.Field.Definition != nil && len(fc.Field.Definition.Arguments) > 0 && fc.Args == nil
}

// argumentPath names the bad argument below its field: "ids.0", "input.assigneeId".
func argumentPath(ctx context.Context, gerr *gqlerror.Error) string {
	own := len(graphql.GetFieldContext(ctx).Path())
	var parts []string
	for i, el := range gerr.Path {
		if i < own {
			continue
		}
		parts = append(parts, fmt.Sprint(el))
	}
	if len(parts) == 0 {
		return "arguments"
	}
	return strings.Join(parts, ".")
}

func rootCause(err error) error {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err
		}
		err = next
	}
}
