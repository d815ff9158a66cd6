package eccs_test

import (
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/eccs/eccs/internal/eccs"
)

func contractIDs(list []eccs.Contract) []string {
	out := make([]string, len(list))
	for i, c := range list {
		out[i] = c.ID
	}
	return out
}

func TestOperatorContracts(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	for _, tc := range []struct {
		name                string
		customer, ba, offer string
		want                []string
	}{
		{"no filter lists every contract", "", "", "", w.contractIDs},
		{"by customer", "acme", "", "", []string{"BA1-CAV", "BA1-FE", "BA2-CAV", "BA2-FE"}},
		{"by billing account", "", "BA3", "", []string{"BA3-CAV", "BA3-FE"}},
		{"by offer", "", "", "CAV", []string{"BA1-CAV", "BA2-CAV", "BA3-CAV"}},
		{"by customer and offer", "acme", "", "FE", []string{"BA1-FE", "BA2-FE"}},
		{"billing account of another customer gives nothing", "globex", "BA1", "", []string{}},
		{"unknown customer gives nothing", "nobody", "", "", []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			list, total := must2(w.svc.OperatorContracts(w.ctx, tc.customer, tc.ba, tc.offer, eccs.Page{}))(t)
			if got := contractIDs(list); !slices.Equal(got, tc.want) || total != len(tc.want) {
				t.Errorf("got %v (total %d), want %v", got, total, tc.want)
			}
		})
	}
	t.Run("paging keeps the total", func(t *testing.T) {
		list, total := must2(w.svc.OperatorContracts(w.ctx, "", "", "", eccs.Page{Offset: 2, Limit: 2}))(t)
		if got := contractIDs(list); !slices.Equal(got, w.contractIDs[2:4]) || total != 6 {
			t.Errorf("got %v total %d", got, total)
		}
	})
	t.Run("unknown contract is not found", func(t *testing.T) {
		_, err := w.svc.Contract(w.ctx, "OCB0000404")
		wantErr(t, err, eccs.NotFound, "", "")
	})
}

func TestUpdateContract(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.clock.Advance(time.Hour)

	t.Run("changes the given fields only", func(t *testing.T) {
		c := must(w.svc.UpdateContract(w.ctx, "BA1-FE", eccs.ContractUpdate{Name: ptr("Renamed"), PlatformID: ptr("PF-1"),
			SupportLevel: ptr("ADV"), ReferenceExt: &[3]string{"PO-1", "", "CC-2"}}))(t)
		stored := must(w.svc.Contract(w.ctx, "BA1-FE"))(t)
		if stored.Name != "Renamed" || stored.PlatformID != "PF-1" || stored.SupportLevel != "ADV" ||
			stored.ReferenceExt != [3]string{"PO-1", "", "CC-2"} || stored.Type != "IAAS" ||
			stored.Referent.ID != w.ritaID.ID || !stored.UpdatedAt.Equal(t0.Add(time.Hour)) || !stored.CreatedAt.Equal(t0) {
			t.Errorf("stored %+v", stored)
		}
		if c.Name != stored.Name || c.SupportLevel != stored.SupportLevel || !c.UpdatedAt.Equal(stored.UpdatedAt) {
			t.Errorf("returned %+v, stored %+v", c, stored)
		}
		c = must(w.svc.UpdateContract(w.ctx, "BA1-FE", eccs.ContractUpdate{PlatformID: ptr(""), Type: ptr("PAAS")}))(t)
		if c.PlatformID != "" || c.Type != "PAAS" || c.Name != "Renamed" {
			t.Errorf("after removing the platform: %+v", c)
		}
	})

	t.Run("refused updates store nothing", func(t *testing.T) {
		before := must(w.svc.Contract(w.ctx, "BA1-FE"))(t)
		for _, tc := range []struct {
			name  string
			id    string
			u     eccs.ContractUpdate
			code  eccs.Code
			field string
		}{
			{"unknown contract", "OCB0000404", eccs.ContractUpdate{Name: ptr("X")}, eccs.NotFound, ""},
			{"empty name", "BA1-FE", eccs.ContractUpdate{Name: ptr("")}, eccs.Invalid, "name"},
			{"name too long", "BA1-FE", eccs.ContractUpdate{Name: ptr(strings.Repeat("n", 101))}, eccs.Invalid, "name"},
			{"contract type with a tab", "BA1-FE", eccs.ContractUpdate{Type: ptr("I\tAAS")}, eccs.Invalid, "contractType"},
			{"platform id with surrounding spaces", "BA1-FE", eccs.ContractUpdate{PlatformID: ptr(" PF ")}, eccs.Invalid, "platformId"},
			{"support level the offer does not sell", "BA1-FE", eccs.ContractUpdate{SupportLevel: ptr("GOLD")}, eccs.Invalid, "supportLevel"},
			{"support level of another offer", "BA1-CAV", eccs.ContractUpdate{SupportLevel: ptr("PRM")}, eccs.Invalid, "supportLevel"},
			{"third external reference", "BA1-FE", eccs.ContractUpdate{ReferenceExt: &[3]string{"", "", "a\x00b"}}, eccs.Invalid, "referenceExt3"},
			{"valid name with an invalid level", "BA1-FE", eccs.ContractUpdate{Name: ptr("Half"), SupportLevel: ptr("GOLD")}, eccs.Invalid, "supportLevel"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				err := w.wantNoEvent(t, func() error { _, err := w.svc.UpdateContract(w.ctx, tc.id, tc.u); return err })
				wantErr(t, err, tc.code, "", tc.field)
			})
		}
		if after := must(w.svc.Contract(w.ctx, "BA1-FE"))(t); after != before {
			t.Errorf("a refused update changed the contract:\n%+v\n%+v", before, after)
		}
	})
}

// TestClosedContract closes BA1-FE a day after t0, then checks in order what a closed contract
// refuses, shows and still takes.
func TestClosedContract(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	doc := w.addDoc("BA1-FE", eccs.TypeReports, "202501", t0, "report before closing")
	w.clock.Advance(24 * time.Hour)
	closedAt := t0.Add(24 * time.Hour)

	c := must(w.svc.CloseContract(w.ctx, "BA1-FE"))(t)
	if !c.Closed() || !c.ClosedAt.Equal(closedAt) {
		t.Fatalf("closed contract %+v", c)
	}
	if stored := must(w.svc.Contract(w.ctx, "BA1-FE"))(t); !stored.ClosedAt.Equal(closedAt) || !stored.UpdatedAt.Equal(closedAt) {
		t.Fatalf("stored %+v", stored)
	}
	cl := &closedContract{w: w, doc: doc}
	t.Run("changes are conflicts", cl.wantChangesRefused)
	t.Run("stays visible with its documents", cl.wantVisibleWithItsDocuments)
	t.Run("takes the final bill", cl.wantFinalBill)
	t.Run("unknown contract", cl.wantUnknownNotFound)
}

// closedContract is a world whose contract BA1-FE is closed, with doc, a report added before.
type closedContract struct {
	w   *world
	doc eccs.Document
}

// wantChangesRefused checks that every change of the closed contract is a conflict that says
// so, unrecorded, and changes nothing.
func (cl *closedContract) wantChangesRefused(t *testing.T) {
	w := cl.w
	carolAccess := access(t, w, w.carol, "BA1-FE") // users manager
	for _, tc := range []struct {
		name string
		call func() error
	}{
		{"close again", func() error { _, err := w.svc.CloseContract(w.ctx, "BA1-FE"); return err }},
		{"update", func() error {
			_, err := w.svc.UpdateContract(w.ctx, "BA1-FE", eccs.ContractUpdate{Name: ptr("After closing")})
			return err
		}},
		{"operator adds a user", func() error {
			_, err := w.svc.AddUser(w.ctx, "BA1-FE", newUser("late@acme.example", "late.user", map[string][]string{}))
			return err
		}},
		{"users manager declares a user", func() error {
			_, err := w.svc.DeclareUser(w.ctx, declarerOf(t, carolAccess), newUser("late2@acme.example", "late.user2", map[string][]string{}))
			return err
		}},
		{"change referent", func() error {
			_, err := w.svc.ChangeReferent(w.ctx, "BA1-FE", carolUser.Email, false)
			return err
		}},
		{"set user roles", func() error {
			_, err := w.svc.SetUserRoles(w.ctx, "BA1-FE", w.carolID.ID, map[string][]string{"contracts": {"manager"}})
			return err
		}},
		{"remove user", func() error { return w.svc.RemoveUser(w.ctx, "BA1-FE", w.carolID.ID) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := w.wantNoEvent(t, tc.call)
			e := wantErr(t, err, eccs.Conflict, "", "")
			if !strings.Contains(e.Message, "BA1-FE") || !strings.Contains(e.Message, "closed") {
				t.Errorf("message %q does not say the contract is closed", e.Message)
			}
		})
	}
	if _, err := w.store.IdentityByEmail(w.ctx, "late@acme.example"); eccs.ErrorCode(err) != eccs.NotFound {
		t.Errorf("a refused declaration created its identity: %v", err)
	}
	users := must(w.svc.Users(w.ctx, "BA1-FE"))(t)
	if len(users) != 2 {
		t.Errorf("users of the closed contract: %+v", users)
	}
	if got := must(w.svc.Contract(w.ctx, "BA1-FE"))(t); got.Name != "Contract BA1-FE" || got.Referent.ID != w.ritaID.ID {
		t.Errorf("the closed contract changed: %+v", got)
	}
}

// wantVisibleWithItsDocuments checks that the closed contract is still listed and read, with
// its documents.
func (cl *closedContract) wantVisibleWithItsDocuments(t *testing.T) {
	w, doc := cl.w, cl.doc
	list, _ := must2(w.svc.Contracts(w.ctx, w.carol, eccs.Page{}))(t)
	if !slices.Contains(contractIDs(list), "BA1-FE") {
		t.Errorf("carol's contracts: %v", contractIDs(list))
	}
	a := access(t, w, w.carol, "BA1-FE")
	if !a.Contract().Closed() {
		t.Errorf("the access's contract is not closed")
	}
	docs, total := must2(w.svc.Documents(w.ctx, readerOf(t, a), nil, eccs.Page{}))(t)
	if total != 1 || docs[0].ID != doc.ID {
		t.Fatalf("documents of the closed contract: %v", ids(docs))
	}
	_, blob, err := w.svc.OpenDocument(w.ctx, readerOf(t, a), doc.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer blob.Close()
	if got, _ := io.ReadAll(blob); string(got) != "report before closing" {
		t.Errorf("read %q", got)
	}
}

// wantFinalBill checks that a document can still be added to the closed contract.
func (cl *closedContract) wantFinalBill(t *testing.T) {
	w := cl.w
	final := w.addDoc("BA1-FE", eccs.TypeBills, "202502", time.Time{}, "final bill")
	docs, _ := must2(w.svc.Documents(w.ctx, readerOf(t, access(t, w, w.carol, "BA1-FE")), nil, eccs.Page{}))(t)
	if len(docs) != 2 || docs[0].ID != final.ID {
		t.Errorf("documents after the final bill: %v", ids(docs))
	}
}

// wantUnknownNotFound checks that closing an unknown contract is not found, unrecorded.
func (cl *closedContract) wantUnknownNotFound(t *testing.T) {
	w := cl.w
	err := w.wantNoEvent(t, func() error { _, err := w.svc.CloseContract(w.ctx, "OCB0000404"); return err })
	wantErr(t, err, eccs.NotFound, "", "")
}

// A referent must be a person declared on the contract, not already its referent; refused
// changes are unrecorded and move nothing.
func TestChangeReferentRefusals(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.clock.Advance(time.Hour)
	for _, tc := range []struct {
		name, contract, email string
		code                  eccs.Code
		field                 string
	}{
		{"unknown contract", "OCB0000404", carolUser.Email, eccs.NotFound, ""},
		{"nobody with this e-mail", "BA1-FE", "nobody@acme.example", eccs.Invalid, "email"},
		{"a known person not declared on the contract", "BA1-FE", "dave@globex.example", eccs.Invalid, "email"},
		{"declared on another contract only", "BA2-FE", carolUser.Email, eccs.Invalid, "email"},
		{"already the referent", "BA1-FE", ritaPerson.Email, eccs.Invalid, "email"},
		{"already the referent, e-mail in another case", "BA1-FE", strings.ToUpper(ritaPerson.Email), eccs.Invalid, "email"},
		{"empty e-mail", "BA1-FE", "", eccs.Invalid, "email"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := w.wantNoEvent(t, func() error {
				_, err := w.svc.ChangeReferent(w.ctx, tc.contract, tc.email, true)
				return err
			})
			wantErr(t, err, tc.code, "", tc.field)
		})
	}
	if c := must(w.svc.Contract(w.ctx, "BA1-FE"))(t); c.Referent.ID != w.ritaID.ID {
		t.Errorf("a refused change moved the referent to %s", c.Referent.ID)
	}
}

// TestChangeReferent checks that a declared user becomes the referent, manager everywhere and
// protected, while the previous one stays, no longer protected.
func TestChangeReferent(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.clock.Advance(time.Hour)
	// Carol is a contracts visitor on BA1-FE; she becomes its referent, Rita stays.
	c := must(w.svc.ChangeReferent(w.ctx, "BA1-FE", strings.ToUpper(carolUser.Email), false))(t)
	stored := must(w.svc.Contract(w.ctx, "BA1-FE"))(t)
	if stored.Referent.ID != w.carolID.ID || stored.Referent.Email != carolUser.Email || stored.Referent.LastName != "Dupont" ||
		!stored.UpdatedAt.Equal(t0.Add(time.Hour)) {
		t.Errorf("stored referent %+v, updated %v", stored.Referent, stored.UpdatedAt)
	}
	if c.Referent.ID != w.carolID.ID {
		t.Errorf("returned referent %+v", c.Referent)
	}
	if d := must(w.store.Declaration(w.ctx, "BA1-FE", w.carolID.ID))(t); d.Roles != eccs.ManagerEverywhere {
		t.Errorf("new referent's roles %+v", d.Roles)
	}
	if d := must(w.store.Declaration(w.ctx, "BA1-FE", w.ritaID.ID))(t); d.Roles != eccs.ManagerEverywhere {
		t.Errorf("previous referent's roles %+v", d.Roles)
	}
	if a := access(t, w, w.carol, "BA1-FE"); a.Roles() != eccs.ManagerEverywhere || a.Contract().Referent.ID != w.carolID.ID {
		t.Errorf("carol's access %+v to a contract of referent %s", a.Roles(), a.Contract().Referent.ID)
	}
	access(t, w, w.rita, "BA1-FE")
	// The new referent is protected, the previous one no longer.
	_, err := w.svc.SetUserRoles(w.ctx, "BA1-FE", w.carolID.ID, map[string][]string{"contracts": {"visitor"}})
	wantErr(t, err, eccs.Conflict, "", "")
	must(w.svc.SetUserRoles(w.ctx, "BA1-FE", w.ritaID.ID, map[string][]string{"contracts": {"visitor"}}))(t)
}

// Changing the referent may remove the previous one, who no longer sees the contract.
func TestChangeReferentRemovingThePrevious(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.clock.Advance(time.Hour)
	// Carol is a contracts manager, documents visitor on BA3-FE.
	must(w.svc.ChangeReferent(w.ctx, "BA3-FE", carolUser.Email, true))(t)
	if c := must(w.svc.Contract(w.ctx, "BA3-FE"))(t); c.Referent.ID != w.carolID.ID {
		t.Errorf("referent %s", c.Referent.ID)
	}
	if _, err := w.store.Declaration(w.ctx, "BA3-FE", w.ritaID.ID); eccs.ErrorCode(err) != eccs.NotFound {
		t.Errorf("the previous referent is still declared: %v", err)
	}
	_, err := w.svc.ContractAccess(w.ctx, w.rita, "BA3-FE")
	wantErr(t, err, eccs.Forbidden, "", "")
	list, _ := must2(w.svc.Contracts(w.ctx, w.rita, eccs.Page{}))(t)
	if slices.Contains(contractIDs(list), "BA3-FE") {
		t.Errorf("rita still lists BA3-FE")
	}
	users := must(w.svc.Users(w.ctx, "BA3-FE"))(t)
	if len(users) != 1 || users[0].Identity.ID != w.carolID.ID || users[0].Roles != eccs.ManagerEverywhere {
		t.Errorf("users %+v", users)
	}
}
