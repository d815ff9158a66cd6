package eccs

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"
)

// The request path reads the same few rows on every call: the application behind the token,
// the API key and its account, the contract and the caller's declaration on it; and bill
// pullers ask for the same first page of a contract's documents again and again. The Service
// keeps them in a small cache, so that checking a call costs microseconds instead of database
// round trips, and applies its rules (expiry, status, roles) to the cached rows on every call.
//
// A change this process makes empties the cache when its transaction commits. A change another
// process makes (another replica, `eccsd admin` on the database) bumps a generation number in
// the database, in the change's own transaction; Watch polls it and empties the cache when it
// moves. Entries also expire after cacheTTL, which bounds how stale a row can be even when the
// database cannot be polled. So a revoked key or a suspended application is refused by every
// replica within the poll interval (see Watch), and never later than cacheTTL.

// cacheTTL is the longest an entry is used.
const cacheTTL = 10 * time.Second

// cacheMaxEntries bounds each map of rows; past it the map is emptied rather than grown.
const cacheMaxEntries = 50_000

// Pages of documents are larger than rows: at most cacheMaxPages of them are kept, and only
// pages of at most cacheMaxPageSize documents (the default page is 10), which bounds what
// they hold to a few megabytes.
const (
	cacheMaxPages    = 2_000
	cacheMaxPageSize = 100
)

type cached[T any] struct {
	value  T
	loaded time.Time
}

// lookup is the outcome of reading one row: the row, or its NotFound error. Contracts and
// declarations are cached with their absence, so that an unknown contract costs what an
// invisible one does (see ContractAccess).
type lookup[T any] struct {
	value T
	err   error
}

type keyEntry struct {
	key     APIKey
	account Account
}

type declKey struct{ contract, identity string }

// docKey names one document of one contract.
type docKey struct{ contract, id string }

// pageKey names one page of a contract's documents: the types the caller may see (joined by
// ','), and the page.
type pageKey struct {
	contract, types string
	page            Page
}

type documentPage struct {
	list  []Document
	total int
}

type cache struct {
	mu        sync.RWMutex
	gen       int64 // the database generation the entries belong to
	apps      map[string]cached[Application]
	clients   map[string]cached[Application] // by client id
	keys      map[string]cached[keyEntry]    // by key hash
	contracts map[string]cached[lookup[Contract]]
	decls     map[declKey]cached[lookup[Declaration]]
	documents map[pageKey]cached[documentPage]
	docs      map[docKey]cached[Document]
}

func newCache() *cache {
	return &cache{
		apps:      map[string]cached[Application]{},
		clients:   map[string]cached[Application]{},
		keys:      map[string]cached[keyEntry]{},
		contracts: map[string]cached[lookup[Contract]]{},
		decls:     map[declKey]cached[lookup[Declaration]]{},
		documents: map[pageKey]cached[documentPage]{},
		docs:      map[docKey]cached[Document]{},
	}
}

// flush empties the cache. The maps are cleared, never replaced: readers pick a map field
// (s.cache.apps) before taking the lock, so the fields must not change after newCache.
func (c *cache) flush() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.apps)
	clear(c.clients)
	clear(c.keys)
	clear(c.contracts)
	clear(c.decls)
	clear(c.documents)
	clear(c.docs)
}

// get returns the fresh entry of m under k.
func get[K comparable, T any](c *cache, m map[K]cached[T], k K, now time.Time) (T, bool) {
	c.mu.RLock()
	e, ok := m[k]
	c.mu.RUnlock()
	if !ok || now.Sub(e.loaded) > cacheTTL || now.Before(e.loaded) {
		var zero T
		return zero, false
	}
	return e.value, true
}

// put stores v under k in the map pick selects, unless the cache was flushed since the read
// that produced v began (gen): a row read before a change must not outlive the change. A map
// holding maxEntries is emptied first.
func put[K comparable, T any](c *cache, pick func(*cache) map[K]cached[T], k K, v T, loaded time.Time, gen int64, maxEntries int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return
	}
	m := pick(c)
	if len(m) >= maxEntries {
		clear(m)
	}
	m[k] = cached[T]{value: v, loaded: loaded}
}

// generation returns the cache's generation, to pass to put after a read.
func (c *cache) generation() int64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.gen
}

// invalidate empties the cache and moves its generation: reads in flight will not store their
// rows.
func (c *cache) invalidate(dbGen int64) {
	c.mu.Lock()
	c.gen++
	if dbGen > c.gen {
		c.gen = dbGen
	}
	c.mu.Unlock()
	c.flush()
}

// inTx runs fn in a store transaction and, once it committed, empties the cache: this process
// never serves a row older than its own change.
func (s *base) inTx(ctx context.Context, fn func(tx Store) error) error {
	err := s.store.InTx(ctx, fn)
	if err == nil {
		s.cache.invalidate(0)
	}
	return err
}

// Watch polls the database's change generation every interval until ctx ends, and empties
// the cache when another process changed something. A server runs it for its whole life;
// interval bounds how long a change made elsewhere (a key revoked through another replica)
// takes to reach this one. Poll failures are retried at the next tick (the cache's TTL bounds
// staleness meanwhile).
func (s *base) Watch(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	seen := int64(-1)
	for {
		// The first successful poll empties the cache too: rows cached before Watch started
		// may predate a change whose generation the first poll already includes.
		if gen, err := s.store.Generation(ctx); err == nil && gen != seen {
			s.cache.invalidate(0)
			seen = gen
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// cachedApplication returns application id, from the cache when fresh.
func (s *base) cachedApplication(ctx context.Context, id string) (Application, error) {
	now := s.nowFunc()
	if app, ok := get(s.cache, s.cache.apps, id, now); ok {
		return app, nil
	}
	gen := s.cache.generation()
	app, err := s.store.Application(ctx, id)
	if err == nil {
		put(s.cache, func(c *cache) map[string]cached[Application] { return c.apps }, id, app, now, gen, cacheMaxEntries)
	}
	return app, err
}

// cachedClient returns the application whose client id is clientID, from the cache when
// fresh: the token endpoint reads it on every request.
func (s *base) cachedClient(ctx context.Context, clientID string) (Application, error) {
	now := s.nowFunc()
	if app, ok := get(s.cache, s.cache.clients, clientID, now); ok {
		return app, nil
	}
	gen := s.cache.generation()
	app, err := s.store.ApplicationByClientID(ctx, clientID)
	if err == nil {
		put(s.cache, func(c *cache) map[string]cached[Application] { return c.clients }, clientID, app, now, gen, cacheMaxEntries)
	}
	return app, err
}

// cachedKey returns the API key whose hash is hash and its account, from the cache when fresh.
func (s *base) cachedKey(ctx context.Context, hash string) (APIKey, Account, error) {
	now := s.nowFunc()
	if e, ok := get(s.cache, s.cache.keys, hash, now); ok {
		return e.key, e.account, nil
	}
	gen := s.cache.generation()
	k, err := s.store.APIKeyByHash(ctx, hash)
	if err != nil {
		return APIKey{}, Account{}, err
	}
	acct, err := s.store.Account(ctx, k.AccountID)
	if err != nil {
		return APIKey{}, Account{}, err
	}
	put(s.cache, func(c *cache) map[string]cached[keyEntry] { return c.keys }, hash, keyEntry{k, acct}, now, gen, cacheMaxEntries)
	return k, acct, nil
}

// cachedContract returns contract id, from the cache when fresh. A contract that does not
// exist is cached too, with its NotFound error.
func (s *base) cachedContract(ctx context.Context, id string) (Contract, error) {
	now := s.nowFunc()
	if e, ok := get(s.cache, s.cache.contracts, id, now); ok {
		return e.value, e.err
	}
	gen := s.cache.generation()
	c, err := s.store.Contract(ctx, id)
	if err == nil || IsNotFound(err) {
		put(s.cache, func(c *cache) map[string]cached[lookup[Contract]] { return c.contracts }, id, lookup[Contract]{c, err}, now, gen, cacheMaxEntries)
	}
	return c, err
}

// cachedDeclaration returns the declaration of identity on contract, from the cache when
// fresh. An absent declaration is cached too, with its NotFound error.
func (s *base) cachedDeclaration(ctx context.Context, contract, identity string) (Declaration, error) {
	now := s.nowFunc()
	k := declKey{contract, identity}
	if e, ok := get(s.cache, s.cache.decls, k, now); ok {
		return e.value, e.err
	}
	gen := s.cache.generation()
	d, err := s.store.Declaration(ctx, contract, identity)
	if err == nil || IsNotFound(err) {
		put(s.cache, func(c *cache) map[declKey]cached[lookup[Declaration]] { return c.decls }, k, lookup[Declaration]{d, err}, now, gen, cacheMaxEntries)
	}
	return d, err
}

// cachedDocuments returns a page of the documents f selects, from the cache when fresh. Only
// the customer API's lists come here (filter by contract and types, paged); the list is the
// caller's to keep.
func (s *base) cachedDocuments(ctx context.Context, f DocumentFilter) ([]Document, int, error) {
	if f.Period != "" || f.Filename != "" || f.Page.Limit < 1 || f.Page.Limit > cacheMaxPageSize {
		return s.store.Documents(ctx, f)
	}
	types := make([]string, len(f.Types))
	for i, t := range f.Types {
		types[i] = string(t)
	}
	k := pageKey{contract: f.ContractID, types: strings.Join(types, ","), page: f.Page}
	now := s.nowFunc()
	if p, ok := get(s.cache, s.cache.documents, k, now); ok {
		return slices.Clone(p.list), p.total, nil
	}
	gen := s.cache.generation()
	list, total, err := s.store.Documents(ctx, f)
	if err == nil {
		p := documentPage{list: slices.Clone(list), total: total}
		put(s.cache, func(c *cache) map[pageKey]cached[documentPage] { return c.documents }, k, p, now, gen, cacheMaxPages)
	}
	return list, total, err
}

// cachedDocument returns document id of contract, from the cache when fresh; fromCache says
// which. A cached row may name bytes another process has replaced and deleted since (within
// the poll interval): a caller that finds them missing reads the row again from the store.
func (s *base) cachedDocument(ctx context.Context, contract, id string) (d Document, fromCache bool, err error) {
	now := s.nowFunc()
	k := docKey{contract, id}
	if d, ok := get(s.cache, s.cache.docs, k, now); ok {
		return d, true, nil
	}
	gen := s.cache.generation()
	d, err = s.store.Document(ctx, contract, id)
	if err == nil {
		put(s.cache, func(c *cache) map[docKey]cached[Document] { return c.docs }, k, d, now, gen, cacheMaxEntries)
	}
	return d, false, err
}

// GenerationStore keeps the change generation, which tells processes their caches are stale.
type GenerationStore interface {
	// Generation returns the change generation: a number every recorded change increments
	// (BumpGeneration, in the change's transaction). Processes compare it to know when their
	// caches are stale. 0 before the first change.
	Generation(ctx context.Context) (int64, error)
	// BumpGeneration increments the change generation.
	BumpGeneration(ctx context.Context) error
}
