package eccs

import (
	"context"
	"fmt"
)

// Me is what GET /me (an eccs extension) tells a caller about itself: which account its key
// names and what that account sees, the key's expiry and last use, and the application behind
// its token. It explains why a caller sees what it sees.
type Me struct {
	Account     Account
	Identity    Identity
	Key         APIKey
	Application Application
	// Declarations are the contracts a client account is declared on, with its roles
	// (administrator accounts see their Account.Perimeter instead).
	Declarations []Declaration
}

// Me describes the caller of a resource call.
func (s *AccessService) Me(ctx context.Context, acct Account, key APIKey, app Application) (Me, error) {
	id, err := s.store.Identity(ctx, acct.IdentityID)
	if err != nil {
		return Me{}, fmt.Errorf("describe the caller: %w", err)
	}
	me := Me{Account: acct, Identity: id, Key: key, Application: app}
	if acct.Type == AccountClient {
		ds, err := s.store.Declarations(ctx, acct.IdentityID)
		if err != nil {
			return Me{}, fmt.Errorf("describe the caller: %w", err)
		}
		for _, d := range ds {
			if d.Roles.Contracts != RoleNone { // the rule of ContractAccess
				me.Declarations = append(me.Declarations, d)
			}
		}
	}
	return me, nil
}
