package httpapi_test

import (
	"strings"
	"testing"
	"time"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/internal/eccs"
	"github.com/eccs/eccs/internal/testkit/apitest"
)

func TestMeExplainsWhatTheCallerSees(t *testing.T) {
	e := apitest.NewEnv(t)
	t.Run("client account: its contracts and roles", func(t *testing.T) {
		r := e.AsClient("GET", "/me", "", "").WantStatus(t, 200)
		var me api.Me
		apitest.MustJSON(t, r.Body, &me)
		if me.Account.Type != "client" || me.Account.Login != "claire.martin" || me.Perimeter != nil {
			t.Fatalf("account %+v, perimeter %+v", me.Account, me.Perimeter)
		}
		var ids []string
		for _, c := range me.Contracts {
			ids = append(ids, c.ID)
		}
		if strings.Join(ids, ",") != strings.Join(e.Creds.Contracts.Client, ",") {
			t.Fatalf("contracts %v, want %v", ids, e.Creds.Contracts.Client)
		}
		if got := me.Contracts[1].Roles; strings.Join(got.Documents, "") != "visitor" || len(got.Users) != 0 {
			t.Fatalf("roles on OCB0000002 %+v", got)
		}
		if me.Application.ClientID != e.Creds.ClientID || me.Application.Subscription != "approved" {
			t.Fatalf("application %+v", me.Application)
		}
		if !strings.HasPrefix(e.Creds.APIKeys.Client, me.APIKey.Prefix) || me.APIKey.ExpiresSoon || me.APIKey.ExpiresAt.IsZero() {
			t.Fatalf("key %+v", me.APIKey)
		}
		if strings.Contains(string(r.Body), e.Creds.APIKeys.Client) || strings.Contains(string(r.Body), e.Creds.ClientSecret) {
			t.Fatal("/me shows a secret")
		}
	})
	t.Run("administrator account: its perimeter", func(t *testing.T) {
		var me api.Me
		apitest.MustJSON(t, e.AsAdmin("GET", "/me", "", "").WantStatus(t, 200).Body, &me)
		if me.Account.Type != "administrator" || me.Perimeter == nil || len(me.Contracts) != 0 {
			t.Fatalf("me %+v", me)
		}
		if strings.Join(me.Perimeter.BillingAccountIDs, ",") != "20451001,20451002" || strings.Join(me.Perimeter.OfferIDs, ",") != "FE" {
			t.Fatalf("perimeter %+v", me.Perimeter)
		}
	})
	t.Run("the last use of the key is recorded with its address", func(t *testing.T) {
		e.Clock.Advance(2 * time.Minute) // past the once-a-minute write
		e.AsClient("GET", "/contracts", "", "").WantStatus(t, 200)
		var me api.Me
		apitest.MustJSON(t, e.AsClient("GET", "/me", "", "").Body, &me)
		if me.APIKey.LastUsedFrom != "127.0.0.1" || me.APIKey.LastUsedAt.IsZero() {
			t.Fatalf("last use %+v", me.APIKey)
		}
	})
	t.Run("without credentials it is refused like any call", func(t *testing.T) {
		e.Call("GET", "/me", e.Token(), "", "", "").WantError(t, 401, api.CodeMissingCredentials)
	})
}

func TestKeyNearItsExpiryWarnsOnEveryAnswer(t *testing.T) {
	e := apitest.NewEnv(t)
	r := e.AsClient("GET", "/contracts", "", "").WantStatus(t, 200)
	if r.Header.Get(api.HeaderKeyExpires) != "" || r.Header.Get("Warning") != "" {
		t.Fatalf("a fresh key warns: %v", r.Header)
	}
	// 29 days before the demo keys' two years are up.
	e.Clock.Advance(2*365*24*time.Hour - 29*24*time.Hour)
	token := e.Token()
	for _, r := range []apitest.Response{
		e.Call("GET", "/contracts", token, e.Creds.APIKeys.Client, "", ""),
		e.Call("GET", "/contract", token, e.Creds.APIKeys.Client, "OCB0000005", ""), // refused answers warn too
	} {
		expires := r.Header.Get(api.HeaderKeyExpires)
		if _, err := time.Parse(time.RFC3339, expires); err != nil || !strings.Contains(r.Header.Get("Warning"), expires) {
			t.Fatalf("%d: %s=%q, Warning=%q", r.Status, api.HeaderKeyExpires, expires, r.Header.Get("Warning"))
		}
	}
	var me api.Me
	apitest.MustJSON(t, e.Call("GET", "/me", token, e.Creds.APIKeys.Client, "", "").Body, &me)
	if !me.APIKey.ExpiresSoon {
		t.Fatal("/me does not say the key expires soon")
	}
}

func TestCustomerChangesAreAudited(t *testing.T) {
	e := apitest.NewEnv(t)
	r := e.AsClient("POST", "/contract/OCB0000001/user", "", guideUser).WantStatus(t, 201)
	requestID := r.Header.Get(api.HeaderRequestID)
	events, _, err := e.Svc.AuditEvents(t.Context(), eccs.AuditFilter{ObjectType: "contract", ObjectID: "OCB0000001"})
	if err != nil {
		t.Fatal(err)
	}
	if len(events) == 0 || events[0].Action != "user.declare" || events[0].RequestID != requestID ||
		events[0].ActorType != eccs.ActorAccount || events[0].ApplicationID == "" {
		t.Fatalf("latest event %+v, want the declaration by request %s", events, requestID)
	}
	for _, ev := range events {
		for _, v := range ev.Details {
			if strings.Contains(v, e.Creds.APIKeys.Client) || strings.Contains(v, e.Creds.ClientSecret) {
				t.Fatalf("a secret in the audit trail: %+v", ev)
			}
		}
	}
}
