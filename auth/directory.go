package auth

import (
	"context"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/cienerp/cienerp/ent"
	"github.com/cienerp/cienerp/ent/integrationkey"
	"github.com/cienerp/cienerp/ent/membership"
	"github.com/cienerp/cienerp/ent/schema"
	"github.com/cienerp/cienerp/ent/tenant"
	"github.com/cienerp/cienerp/policy"
)

// Key is what the directory knows of an integration key.
type Key struct {
	ID        uuid.UUID
	Name      string
	TenantID  uuid.UUID
	Env       policy.Env
	ExpiresAt *time.Time
	RevokedAt *time.Time
	RolledAt  *time.Time
}

// Tenant is what the directory knows of a tenant.
type Tenant struct {
	ID        uuid.UUID
	Slug      string
	Active    bool
	RateLimit int // requests per minute per credential
}

// User is what the directory knows of a user.
type User struct {
	ID      uuid.UUID
	Email   string
	Active  bool
	Tenants []uuid.UUID
}

type entry[T any] struct {
	v       T
	found   bool
	expires time.Time
}

// Directory caches keys, tenants and users in memory. Entries live for ttl
// and are dropped at once by the Forget methods, which every change calls
// after commit: a revoked key fails on the very next request.
type Directory struct {
	client *ent.Client
	ttl    time.Duration

	mu      sync.RWMutex
	keys    map[string]entry[Key] // by secret hash
	keyHash map[uuid.UUID]string  // key id -> secret hash, for tokens and Forget
	tenants map[string]entry[Tenant]
	users   map[uuid.UUID]entry[User]
	touched map[uuid.UUID]time.Time // keys used since the last flush
}

// NewDirectory caches lookups made through client for ttl.
func NewDirectory(client *ent.Client, ttl time.Duration) *Directory {
	d := &Directory{client: client, ttl: ttl}
	d.reset()
	return d
}

func (d *Directory) reset() {
	d.keys = map[string]entry[Key]{}
	d.keyHash = map[uuid.UUID]string{}
	d.tenants = map[string]entry[Tenant]{}
	d.users = map[uuid.UUID]entry[User]{}
	d.touched = map[uuid.UUID]time.Time{}
}

// maxEntries bounds each map; past it the map starts afresh (cheap, and a
// flood of random keys cannot grow memory without bound).
const maxEntries = 100_000

// system is how the directory reads: credentials are looked up before any
// viewer exists, and their last use is recorded by the platform.
func system(ctx context.Context) context.Context {
	return schema.Bypass(ctx, "credential lookups run before a viewer exists")
}

// KeyByHash finds a key by the hash of its secret.
func (d *Directory) KeyByHash(ctx context.Context, hash string) (Key, bool, error) {
	if e, ok := cached(d, d.keys, hash); ok {
		return e.v, e.found, nil
	}
	row, err := d.client.IntegrationKey.Query().Where(integrationkey.SecretHash(hash)).Only(system(ctx))
	if err != nil && !ent.IsNotFound(err) {
		return Key{}, false, err
	}
	var k Key
	if row != nil {
		k = keyFromRow(row)
	}
	d.storeKey(hash, entry[Key]{v: k, found: row != nil})
	return k, row != nil, nil
}

// KeyByID finds a key by id (for tokens issued to a key).
func (d *Directory) KeyByID(ctx context.Context, id uuid.UUID) (Key, bool, error) {
	d.mu.RLock()
	hash, ok := d.keyHash[id]
	d.mu.RUnlock()
	if ok {
		if e, ok := cached(d, d.keys, hash); ok && e.found {
			return e.v, true, nil
		}
	}
	row, err := d.client.IntegrationKey.Get(system(ctx), id)
	if ent.IsNotFound(err) {
		return Key{}, false, nil
	}
	if err != nil {
		return Key{}, false, err
	}
	k := keyFromRow(row)
	d.storeKey(row.SecretHash, entry[Key]{v: k, found: true})
	return k, true, nil
}

func keyFromRow(row *ent.IntegrationKey) Key {
	return Key{ID: row.ID, Name: row.Name, TenantID: row.TenantID, Env: row.Env, ExpiresAt: row.ExpiresAt, RevokedAt: row.RevokedAt, RolledAt: row.RolledAt}
}

// Tenant finds a tenant by id or slug.
func (d *Directory) Tenant(ctx context.Context, idOrSlug string) (Tenant, bool, error) {
	if e, ok := cached(d, d.tenants, idOrSlug); ok {
		return e.v, e.found, nil
	}
	q := d.client.Tenant.Query()
	if id, err := uuid.Parse(idOrSlug); err == nil {
		q = q.Where(tenant.ID(id))
	} else {
		q = q.Where(tenant.Slug(idOrSlug))
	}
	row, err := q.Only(system(ctx))
	if err != nil && !ent.IsNotFound(err) {
		return Tenant{}, false, err
	}
	var t Tenant
	if row != nil {
		t = Tenant{ID: row.ID, Slug: row.Slug, Active: row.Status == tenant.StatusActive, RateLimit: row.RateLimitPerMinute}
	}
	store(d, d.tenants, idOrSlug, entry[Tenant]{v: t, found: row != nil})
	return t, row != nil, nil
}

// User finds a user and the tenants it belongs to.
func (d *Directory) User(ctx context.Context, id uuid.UUID) (User, bool, error) {
	if e, ok := cached(d, d.users, id); ok {
		return e.v, e.found, nil
	}
	row, err := d.client.User.Get(system(ctx), id)
	if err != nil && !ent.IsNotFound(err) {
		return User{}, false, err
	}
	var u User
	if row != nil {
		u = User{ID: row.ID, Email: row.Email, Active: row.Status == "active"}
		ms, err := d.client.Membership.Query().Where(membership.UserID(id)).All(system(ctx))
		if err != nil {
			return User{}, false, err
		}
		for _, m := range ms {
			u.Tenants = append(u.Tenants, m.TenantID)
		}
	}
	store(d, d.users, id, entry[User]{v: u, found: row != nil})
	return u, row != nil, nil
}

// ForgetKey drops a key from the cache (after revoke, roll or expiry change).
func (d *Directory) ForgetKey(id uuid.UUID) {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.keys, d.keyHash[id])
	delete(d.keyHash, id)
}

func (d *Directory) storeKey(hash string, e entry[Key]) {
	store(d, d.keys, hash, e)
	if e.found {
		d.mu.Lock()
		if len(d.keyHash) >= maxEntries {
			clear(d.keyHash)
		}
		d.keyHash[e.v.ID] = hash
		d.mu.Unlock()
	}
}

// ForgetTenant drops a tenant (after status or limit change).
func (d *Directory) ForgetTenant(id uuid.UUID) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for k, e := range d.tenants {
		if e.v.ID == id || k == id.String() {
			delete(d.tenants, k)
		}
	}
}

// ForgetUser drops a user (after status or membership change).
func (d *Directory) ForgetUser(id uuid.UUID) {
	d.mu.Lock()
	delete(d.users, id)
	d.mu.Unlock()
}

// ForgetAll empties every cache. The maps are cleared in place: readers
// hold them outside the lock between lookups.
func (d *Directory) ForgetAll() {
	d.mu.Lock()
	clear(d.keys)
	clear(d.keyHash)
	clear(d.tenants)
	clear(d.users)
	d.mu.Unlock()
}

func cached[K comparable, V any](d *Directory, m map[K]entry[V], k K) (entry[V], bool) {
	d.mu.RLock()
	e, ok := m[k]
	d.mu.RUnlock()
	if !ok || time.Now().After(e.expires) {
		return e, false
	}
	return e, true
}

func store[K comparable, V any](d *Directory, m map[K]entry[V], k K, e entry[V]) {
	e.expires = time.Now().Add(d.ttl)
	if !e.found {
		e.expires = time.Now().Add(min(d.ttl, 5*time.Second)) // unknown credentials are re-checked soon
	}
	d.mu.Lock()
	if len(m) >= maxEntries {
		clear(m)
	}
	m[k] = e
	d.mu.Unlock()
}

// Touch notes that a key was used; FlushLastUsed writes it later, so the
// request itself does not wait on a database write.
func (d *Directory) Touch(id uuid.UUID) {
	d.mu.Lock()
	d.touched[id] = time.Now().UTC()
	d.mu.Unlock()
}

// FlushLastUsed writes the last-used time of every key touched since the
// previous flush.
func (d *Directory) FlushLastUsed(ctx context.Context) error {
	d.mu.Lock()
	touched := d.touched
	d.touched = map[uuid.UUID]time.Time{}
	d.mu.Unlock()
	for id, at := range touched {
		err := d.client.IntegrationKey.UpdateOneID(id).SetLastUsedAt(at).Exec(system(ctx))
		if err != nil && !ent.IsNotFound(err) {
			return err
		}
	}
	return nil
}

// RunFlusher flushes last-used times every interval until ctx ends, then
// once more.
func (d *Directory) RunFlusher(ctx context.Context, interval time.Duration, onErr func(error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			if err := d.FlushLastUsed(context.WithoutCancel(ctx)); err != nil {
				onErr(err)
			}
			return
		case <-t.C:
			if err := d.FlushLastUsed(ctx); err != nil {
				onErr(err)
			}
		}
	}
}
