package sqlstore

import (
	"context"
	"fmt"
	"time"
)

// TouchAPIKey sets the last use of key id and nothing else, so that it never undoes a
// revocation or rotation written meanwhile. It returns NotFound if there is no such key.
func (s *Store) TouchAPIKey(ctx context.Context, id string, at time.Time, from string) error {
	res, err := s.writer().ExecContext(ctx,
		`UPDATE api_keys SET last_used_at = $2, last_used_from = $3 WHERE id = $1`, id, micros(at), from)
	if err != nil {
		return s.writeErr("record the use of API key "+id, err, "", "")
	}
	return s.mustAffect(res, "record the use of API key "+id, fmt.Sprintf("API key %s does not exist.", id))
}

// TouchOperatorToken sets the last use of operator token id and nothing else. It returns
// NotFound if there is no such token.
func (s *Store) TouchOperatorToken(ctx context.Context, id string, at time.Time) error {
	res, err := s.writer().ExecContext(ctx,
		`UPDATE operator_tokens SET last_used_at = $2 WHERE id = $1`, id, micros(at))
	if err != nil {
		return s.writeErr("record the use of operator token "+id, err, "", "")
	}
	return s.mustAffect(res, "record the use of operator token "+id, fmt.Sprintf("Operator token %s does not exist.", id))
}
