package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
)

// stmtID names a prepared statement.
type stmtID int

// The statements of the lookups on every request's path (admin requests included).
const (
	stmtContract stmtID = iota
	stmtDeclaration
	stmtAPIKeyByHash
	stmtApplication
	stmtApplicationByClientID
	stmtAccount
	stmtAccountPerimeter
	stmtDocument
	stmtOperatorTokenByHash
	numStmts
)

// stmtSQL holds the text of each prepared statement.
var stmtSQL = [numStmts]string{
	stmtContract:              contractSelect + ` WHERE c.id = $1`,
	stmtDeclaration:           declarationSelect + ` WHERE contract_id = $1 AND identity_id = $2`,
	stmtAPIKeyByHash:          apiKeySelect + ` WHERE hash = $1`,
	stmtApplication:           applicationSelect + ` WHERE id = $1`,
	stmtApplicationByClientID: applicationSelect + ` WHERE client_id = $1`,
	stmtAccount:               accountSelect + ` WHERE id = $1`,
	stmtAccountPerimeter:      accountPerimeterSelect,
	stmtDocument:              documentSelect + ` WHERE id = $1 AND contract_id = $2`,
	stmtOperatorTokenByHash:   operatorTokenSelect + ` WHERE hash = $1`,
}

// stmtCache prepares statements on one pool the first time they are used and keeps them.
// Preparing lazily lets a Store be created before its schema is migrated.
type stmtCache struct {
	db     *sql.DB
	mu     sync.Mutex // serialises preparing and closing
	closed bool
	ready  atomic.Bool // every statement is prepared
	stmts  [numStmts]atomic.Pointer[sql.Stmt]
	texts  sync.Map // query text → *sql.Stmt: reads built at run time (lists and their filters)
	ntexts int      // entries of texts; guarded by mu
}

// maxTextStmts bounds the statements byText keeps. The texts are built by this package from
// fixed pieces (a list's filters, the length of an IN list), so a few dozen exist; the bound
// only guards against a bug that would put values in a text.
const maxTextStmts = 512

func newStmtCache(db *sql.DB) *stmtCache { return &stmtCache{db: db} }

// get returns statement id, preparing it on first use. A failed prepare is not kept, so a
// later call tries again (after a migration, say).
func (c *stmtCache) get(ctx context.Context, id stmtID) (*sql.Stmt, error) {
	if st := c.stmts[id].Load(); st != nil {
		return st, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, errors.New("the store is closed")
	}
	if st := c.stmts[id].Load(); st != nil {
		return st, nil
	}
	st, err := c.db.PrepareContext(ctx, stmtSQL[id])
	if err != nil {
		return nil, fmt.Errorf("prepare statement %d: %w", id, err)
	}
	c.stmts[id].Store(st)
	return st, nil
}

// byText returns a statement prepared on the pool for query, preparing it on first use. It
// returns nil when the statement cannot be had (the cache is full or closed, or the prepare
// failed, such as before a migration): the caller then runs query unprepared, which reports
// any error where it belongs. Compiling a query costs SQLite more than running a short one.
func (c *stmtCache) byText(ctx context.Context, query string) *sql.Stmt {
	if st, ok := c.texts.Load(query); ok {
		return st.(*sql.Stmt)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.texts.Load(query); ok {
		return st.(*sql.Stmt)
	}
	if c.closed || c.ntexts >= maxTextStmts {
		return nil
	}
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	c.texts.Store(query, st)
	c.ntexts++
	return st
}

// lookup returns statement id if it is prepared, nil otherwise. It never waits for a
// connection, so a transaction holding the only one of its pool may call it.
func (c *stmtCache) lookup(id stmtID) *sql.Stmt { return c.stmts[id].Load() }

// warm prepares the statements not prepared yet. It stops quietly at the first failure (such
// as a schema not migrated yet): get reports errors where they matter.
func (c *stmtCache) warm(ctx context.Context) {
	if c.ready.Load() {
		return
	}
	for id := range numStmts {
		if _, err := c.get(ctx, id); err != nil {
			return
		}
	}
	c.ready.Store(true)
}

// close closes every prepared statement; later gets fail.
func (c *stmtCache) close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	c.ready.Store(false)
	var errs []error
	for i := range c.stmts {
		if st := c.stmts[i].Swap(nil); st != nil {
			errs = append(errs, st.Close())
		}
	}
	c.texts.Range(func(query, st any) bool {
		errs = append(errs, st.(*sql.Stmt).Close())
		c.texts.Delete(query)
		return true
	})
	c.ntexts = 0
	return errors.Join(errs...)
}

// preparedReader runs reads outside transactions through statements prepared once per query
// text (Dialect.PrepareReads).
type preparedReader struct {
	db    *sql.DB
	stmts *stmtCache
}

func (r preparedReader) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := r.stmts.byText(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return r.db.QueryContext(ctx, query, args...)
}

func (r preparedReader) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := r.stmts.byText(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return r.db.QueryRowContext(ctx, query, args...)
}

func (r preparedReader) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return r.db.ExecContext(ctx, query, args...)
}
