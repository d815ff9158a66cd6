package sqlstore

import (
	"context"
	"strconv"
	"strings"

	"github.com/eccs/eccs/internal/eccs"
)

// conds builds the WHERE clause of a filtered list: conditions joined by AND, their
// placeholders numbered in the order they are added.
type conds struct {
	parts []string
	args  []any
}

// add appends cond, in which %s stands for the placeholder of v.
func (c *conds) add(cond string, v any) {
	c.args = append(c.args, v)
	c.parts = append(c.parts, strings.Replace(cond, "%s", "$"+strconv.Itoa(len(c.args)), 1))
}

// addIn appends "column IN (…)" with one placeholder per value. The caller ensures values is
// not empty (IN () is not SQL).
func (c *conds) addIn(column string, values []string) {
	var b strings.Builder
	b.WriteString(column + " IN (")
	for i, v := range values {
		if i > 0 {
			b.WriteString(", ")
		}
		c.args = append(c.args, v)
		b.WriteString("$" + strconv.Itoa(len(c.args)))
	}
	b.WriteString(")")
	c.parts = append(c.parts, b.String())
}

// arg appends v to the arguments without a condition and returns its placeholder, for values
// used outside the WHERE clause.
func (c *conds) arg(v any) string {
	c.args = append(c.args, v)
	return "$" + strconv.Itoa(len(c.args))
}

// asciiLower maps A-Z to a-z and leaves every other character as it is.
func asciiLower(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}

// where returns " WHERE …", or "" without conditions.
func (c *conds) where() string {
	if len(c.parts) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(c.parts, " AND ")
}

// queryList runs query and scans each of its rows with scan. The list is empty, not nil, when
// there are no rows. op names the list in errors.
func queryList[T any](ctx context.Context, s *Store, op, query string, args []any, scan func(scanner) (T, error)) ([]T, error) {
	rows, err := s.reader().QueryContext(ctx, query, args...)
	if err != nil {
		return nil, s.readErr(op, err)
	}
	defer rows.Close()
	list := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, s.readErr(op, err)
		}
		list = append(list, v)
	}
	if err := rows.Err(); err != nil {
		return nil, s.readErr(op, err)
	}
	return list, nil
}

// queryPage returns one page of "SELECT cols FROM from WHERE … ORDER BY order" and the
// count of every row the conditions select; what names the list in errors ("customers"). The two are separate statements: outside a
// transaction, a write between them can make the total disagree with the page by that write.
func queryPage[T any](ctx context.Context, s *Store, what, cols, from, order string, c conds, p eccs.Page, scan func(scanner) (T, error)) ([]T, int, error) {
	args := c.args[:len(c.args):len(c.args)] // the page's values go to a copy, not to the count's
	query := "SELECT " + cols + " FROM " + from + c.where() + " ORDER BY " + order + pageClause(p, &args)
	list, err := queryList(ctx, s, "list "+what, query, args, scan)
	if err != nil {
		return nil, 0, err
	}
	var total int
	if err := s.reader().QueryRowContext(ctx, "SELECT count(*) FROM "+from+c.where(), c.args...).Scan(&total); err != nil {
		return nil, 0, s.readErr("count "+what, err)
	}
	return list, total, nil
}
