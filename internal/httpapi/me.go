package httpapi

import (
	"net/http"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/internal/eccs"
)

// handleMe is GET /me, an eccs extension: which account the API key names, what it sees and
// with which roles, the key's expiry and last use, and the application behind the token.
func (s *server) handleMe(w http.ResponseWriter, r *http.Request) error {
	c, err := s.authenticate(w, r)
	if err != nil {
		return err
	}
	me, err := s.svc.Me(r.Context(), c.account, c.key, c.app)
	if err != nil {
		return err
	}
	out := api.Me{
		Account: api.MeAccount{
			ID: me.Account.ID, Type: string(me.Account.Type), Login: me.Identity.Login, Email: me.Identity.Email,
			LastName: me.Identity.LastName, FirstName: me.Identity.FirstName,
		},
		APIKey: api.MeKey{
			Prefix: me.Key.Prefix, CreatedAt: wireTime(me.Key.CreatedAt), ExpiresAt: wireTime(me.Key.ExpiresAt),
			ExpiresSoon: me.Key.ExpiresSoon(s.cfg.Now()), LastUsedAt: wireTime(me.Key.LastUsedAt), LastUsedFrom: me.Key.LastUsedFrom,
		},
		Application: api.MeApplication{
			ID: me.Application.ID, Name: me.Application.Name, ClientID: me.Application.ClientID,
			Subscription: string(me.Application.Subscription), TermsAcceptedAt: wireTime(me.Application.TermsAcceptedAt),
		},
	}
	if me.Account.Type == eccs.AccountAdministrator {
		out.Perimeter = &api.MePerimeter{
			BillingAccountIDs: nonNil(me.Account.Perimeter.BillingAccountIDs),
			OfferIDs:          nonNil(me.Account.Perimeter.OfferIDs),
		}
	}
	for _, d := range me.Declarations {
		out.Contracts = append(out.Contracts, api.MeContract{ID: d.ContractID, Roles: rolesJSON(d.Roles)})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// nonNil returns list, or an empty list for nil: JSON lists are [] rather than null.
func nonNil(list []string) []string {
	if list == nil {
		return []string{}
	}
	return list
}
