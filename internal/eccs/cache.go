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

// load returns the entry of m under k, from the cache when it is fresh (fromCache), and
// otherwise from read, keeping what read returns when it succeeds: unless the cache was
// flushed since the read began, for a row read before a change must not outlive the change.
// A map holding limit entries is emptied first. It is the one way the request path reads
// through the cache; an absence to remember is a value (lookup), not an error.
func load[K comparable, T any](c *cache, m map[K]cached[T], limit int, k K, now time.Time, read func() (T, error)) (v T, fromCache bool, err error) {
	c.mu.RLock()
	e, ok := m[k]
	gen := c.gen
	c.mu.RUnlock()
	if ok && now.Sub(e.loaded) <= cacheTTL && !now.Before(e.loaded) {
		return e.value, true, nil
	}
	v, err = read()
	if err != nil {
		return v, false, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen == gen {
		if len(m) >= limit {
			clear(m)
		}
		m[k] = cached[T]{value: v, loaded: now}
	}
	return v, false, nil
}

// lookupOf makes a store's answer a lookup: a row, or its NotFound error, both to be cached;
// any other error stays an error, never cached.
func lookupOf[T any](v T, err error) (lookup[T], error) {
	if err != nil && !IsNotFound(err) {
		return lookup[T]{}, err
	}
	return lookup[T]{value: v, err: err}, nil
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
	app, _, err := load(s.cache, s.cache.apps, cacheMaxEntries, id, s.nowFunc(), func() (Application, error) {
		return s.store.Application(ctx, id)
	})
	return app, err
}

// cachedClient returns the application whose client id is clientID, from the cache when
// fresh: the token endpoint reads it on every request.
func (s *base) cachedClient(ctx context.Context, clientID string) (Application, error) {
	app, _, err := load(s.cache, s.cache.clients, cacheMaxEntries, clientID, s.nowFunc(), func() (Application, error) {
		return s.store.ApplicationByClientID(ctx, clientID)
	})
	return app, err
}

// cachedKey returns the API key whose hash is hash and its account, from the cache when fresh.
func (s *base) cachedKey(ctx context.Context, hash string) (APIKey, Account, error) {
	e, _, err := load(s.cache, s.cache.keys, cacheMaxEntries, hash, s.nowFunc(), func() (keyEntry, error) {
		k, err := s.store.APIKeyByHash(ctx, hash)
		if err != nil {
			return keyEntry{}, err
		}
		acct, err := s.store.Account(ctx, k.AccountID)
		return keyEntry{k, acct}, err
	})
	if err != nil {
		return APIKey{}, Account{}, err
	}
	return e.key, e.account, nil
}

// cachedContract returns contract id, from the cache when fresh. A contract that does not
// exist is cached too, with its NotFound error.
func (s *base) cachedContract(ctx context.Context, id string) (Contract, error) {
	e, _, err := load(s.cache, s.cache.contracts, cacheMaxEntries, id, s.nowFunc(), func() (lookup[Contract], error) {
		return lookupOf(s.store.Contract(ctx, id))
	})
	if err != nil {
		return Contract{}, err
	}
	return e.value, e.err
}

// cachedDeclaration returns the declaration of identity on contract, from the cache when
// fresh. An absent declaration is cached too, with its NotFound error.
func (s *base) cachedDeclaration(ctx context.Context, contract, identity string) (Declaration, error) {
	k := declKey{contract, identity}
	e, _, err := load(s.cache, s.cache.decls, cacheMaxEntries, k, s.nowFunc(), func() (lookup[Declaration], error) {
		return lookupOf(s.store.Declaration(ctx, contract, identity))
	})
	if err != nil {
		return Declaration{}, err
	}
	return e.value, e.err
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
	p, _, err := load(s.cache, s.cache.documents, cacheMaxPages, k, s.nowFunc(), func() (documentPage, error) {
		list, total, err := s.store.Documents(ctx, f)
		return documentPage{list: list, total: total}, err
	})
	if err != nil {
		return nil, 0, err
	}
	return slices.Clone(p.list), p.total, nil
}

// cachedDocument returns document id of contract, from the cache when fresh; fromCache says
// which. A cached row may name bytes another process has replaced and deleted since (within
// the poll interval): a caller that finds them missing reads the row again from the store.
func (s *base) cachedDocument(ctx context.Context, contract, id string) (Document, bool, error) {
	return load(s.cache, s.cache.docs, cacheMaxEntries, docKey{contract, id}, s.nowFunc(), func() (Document, error) {
		return s.store.Document(ctx, contract, id)
	})
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
