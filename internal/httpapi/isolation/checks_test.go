// Checking an answer against the model.

package isolation_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"

	"github.com/eccs/eccs/api"
)

// check compares an answer with the model's prediction. The bodies of successes are checked
// against the world, field by field, so that nothing of another contract can slip in.
func (w *world) check(c testCase, r response) error {
	want := c.want
	if r.header.Get(api.HeaderRequestID) == "" && r.status > 0 {
		return fmt.Errorf("no %s (doc/wire.md §0)", api.HeaderRequestID)
	}
	if r.status != want.status {
		return fmt.Errorf("status %d, want %d: %s", r.status, want.status, r)
	}
	if want.status == 304 {
		return w.checkFile(want, r)
	}
	if want.status >= 400 {
		return checkError(want, r)
	}
	switch c.kind {
	case kindListContracts:
		return w.checkContractList(want, r)
	case kindShowContract:
		var ct api.Contract
		if err := json.Unmarshal(r.body, &ct); err != nil {
			return fmt.Errorf("not a contract: %s", r)
		}
		if ct.ID != want.contract {
			return fmt.Errorf("answers contract %s, want %s", ct.ID, want.contract)
		}
		return w.checkContract(ct)
	case kindListDocuments:
		return w.checkDocumentList(c, r)
	case kindFile:
		return w.checkFile(want, r)
	case kindMe:
		return w.checkMe(c.account, r)
	case kindDeclare:
		return checkEcho(want, r)
	case kindOrder:
		return w.checkOrdered(r)
	}
	return fmt.Errorf("unknown case kind %d", c.kind)
}

// checkError checks an error answer: the envelope with the predicted code, and none of the
// headers of a success.
func checkError(want prediction, r response) error {
	var e api.Error
	if err := json.Unmarshal(r.body, &e); err != nil || e.Code != want.code || e.Message != api.ErrorMessage(want.code) {
		return fmt.Errorf("want the envelope %d/%d, got %s", want.status, want.code, r)
	}
	for _, h := range []string{api.HeaderTotalCount, api.HeaderResultCount, "Content-Disposition", "ETag"} {
		if v := r.header.Get(h); v != "" {
			return fmt.Errorf("an error answer carries %s: %s", h, v)
		}
	}
	return nil
}

// checkContractList checks a page of GET /contracts.
func (w *world) checkContractList(want prediction, r response) error {
	var list []api.Contract
	if err := json.Unmarshal(r.body, &list); err != nil || list == nil {
		return fmt.Errorf("not a list of contracts: %s", r)
	}
	ids := make([]string, len(list))
	for i, ct := range list {
		ids[i] = ct.ID
		if err := w.checkContract(ct); err != nil {
			return err
		}
	}
	return checkList(r, ids, want)
}

// checkDocumentList checks a page of GET /documents, or its {"documents": null}.
func (w *world) checkDocumentList(c testCase, r response) error {
	want := c.want
	if want.noDocuments {
		if string(r.body) != `{"documents":null}` || r.header.Get(api.HeaderTotalCount) != "0" {
			return fmt.Errorf("want {\"documents\":null} with %s 0, got %s (%s %q)", api.HeaderTotalCount, r, api.HeaderTotalCount, r.header.Get(api.HeaderTotalCount))
		}
		return nil
	}
	var list []api.Document
	if err := json.Unmarshal(r.body, &list); err != nil || list == nil {
		return fmt.Errorf("not a list of documents: %s", r)
	}
	ids := make([]string, len(list))
	for i, d := range list {
		ids[i] = d.ID
		if err := w.checkDocument(d, c.req.contract); err != nil {
			return err
		}
	}
	return checkList(r, ids, want)
}

// checkEcho checks the answer to a declaration: the user the model expects.
func checkEcho(want prediction, r response) error {
	var u api.User
	if err := json.Unmarshal(r.body, &u); err != nil {
		return fmt.Errorf("not a user: %s", r)
	}
	echo := *want.user
	if echo.Login == "" {
		echo.Login = u.Login // the server chose it; nothing told it yet
	}
	if !equalJSON(u, echo) {
		return fmt.Errorf("echo %+v, want %+v", u, echo)
	}
	return nil
}

// checkOrdered checks the answer to an order: a new contract number of the server's shape.
func (w *world) checkOrdered(r response) error {
	var created api.ContractCreated
	if err := json.Unmarshal(r.body, &created); err != nil || !orderedID.MatchString(created.ID) {
		return fmt.Errorf("not a new contract number: %s", r)
	}
	if w.contracts[created.ID] != nil {
		return fmt.Errorf("contract %s was ordered twice", created.ID)
	}
	return nil
}

// checkFile checks a download (doc/wire.md §4, doc/decisions.md "Documents"): the document's
// bytes, raw or alone in a ZIP, with its media type, name and ETag (the SHA-256 of the bytes);
// or, for a conditional request on that ETag, 304 and no bytes.
func (w *world) checkFile(want prediction, r response) error {
	d := w.documents[want.document]
	headers := map[string]string{"Content-Type": d.contentType, "Content-Disposition": d.disposition,
		"ETag": `"` + d.contentSHA256 + `"`, "Content-Length": strconv.Itoa(len(d.content))}
	content := r.body
	switch {
	case want.status == 304:
		if len(r.body) != 0 {
			return fmt.Errorf("a 304 with a body: %s", r)
		}
		headers = map[string]string{"ETag": headers["ETag"]}
	case want.zipped:
		headers = map[string]string{"Content-Type": "application/zip", "ETag": `"` + d.contentSHA256 + `-zip"`,
			"Content-Disposition": `attachment; filename="` + d.filename + `.zip"`}
		zr, err := zip.NewReader(bytes.NewReader(r.body), int64(len(r.body)))
		if err != nil || len(zr.File) != 1 || zr.File[0].Name != d.filename {
			return fmt.Errorf("not a ZIP holding %s alone: %v", d.filename, err)
		}
		f, err := zr.File[0].Open()
		if err != nil {
			return err
		}
		defer f.Close()
		if content, err = io.ReadAll(f); err != nil {
			return err
		}
	}
	if want.status != 304 && !bytes.Equal(content, d.content) {
		return fmt.Errorf("the bytes of %s are not those of document %s", r, d.id)
	}
	for h, v := range headers {
		if got := r.header.Get(h); got != v {
			return fmt.Errorf("%s %q, want %q", h, got, v)
		}
	}
	return nil
}

// checkList checks a list's ids and its headers: X-Total-Count the items matching,
// X-Result-Count the items in the answer (doc/wire.md §0).
func checkList(r response, ids []string, want prediction) error {
	if !slices.Equal(ids, want.ids) {
		return fmt.Errorf("lists %v, want %v", ids, want.ids)
	}
	if got := r.header.Get(api.HeaderTotalCount); got != strconv.Itoa(want.total) {
		return fmt.Errorf("%s %q, want %d", api.HeaderTotalCount, got, want.total)
	}
	if got := r.header.Get(api.HeaderResultCount); got != strconv.Itoa(len(ids)) {
		return fmt.Errorf("%s %q for %d items", api.HeaderResultCount, got, len(ids))
	}
	return nil
}

// checkContract compares a contract object with the world (doc/wire.md §4).
func (w *world) checkContract(got api.Contract) error {
	c := w.contracts[got.ID]
	if c == nil {
		return fmt.Errorf("answers contract %s, which the world does not hold", got.ID)
	}
	offer, customer, ref := w.offers[c.offerID], w.customers[c.customerID], w.persons[c.referent]
	want := api.Contract{ID: c.id, Name: c.name, ContractType: c.contractType,
		Offer:    api.Offer{ID: offer.id, Name: offer.name},
		Customer: api.Customer{ID: customer.id, Name: customer.name, Segment: customer.segment},
		Contact:  api.Contact{LastName: ref.lastName, FirstName: ref.firstName, Name: ref.firstName + " " + ref.lastName, Email: ref.email},
	}
	got.CreatedAt, got.UpdatedAt = time.Time{}, time.Time{}
	if !equalJSON(got, want) {
		return fmt.Errorf("contract %+v, want %+v", got, want)
	}
	return nil
}

// checkDocument compares a document object with the world (doc/wire.md §4): it must be one of
// contractID's.
func (w *world) checkDocument(got api.Document, contractID string) error {
	d := w.documents[got.ID]
	if d == nil || d.contractID != contractID {
		return fmt.Errorf("lists document %s, which is not one of %s", got.ID, contractID)
	}
	want := api.Document{ID: d.id, Filename: d.filename, Period: d.period, CreatedAt: d.createdAt, UpdatedAt: d.createdAt,
		Amount: float64(d.amount) / 100, Currency: d.curr, DocumentType: d.docType}
	if !equalJSON(got, want) {
		return fmt.Errorf("document %+v, want %+v", got, want)
	}
	return nil
}

// checkMe checks GET /me: the account's identity; for a client, the contracts it is declared
// on with its roles, sorted by id; for an administrator, its perimeter and no contracts.
func (w *world) checkMe(a *account, r response) error {
	var me api.Me
	if err := json.Unmarshal(r.body, &me); err != nil {
		return fmt.Errorf("not /me: %s", r)
	}
	p := w.persons[a.person]
	wantType := "client"
	if a.admin {
		wantType = "administrator"
	}
	if me.Account.ID != a.id || me.Account.Type != wantType || me.Account.Email != p.email {
		return fmt.Errorf("account %+v, want %s %s %s", me.Account, a.id, wantType, p.email)
	}
	if a.admin {
		if me.Perimeter == nil || len(me.Contracts) > 0 ||
			!sameSet(me.Perimeter.BillingAccountIDs, a.billingAccounts) || !sameSet(me.Perimeter.OfferIDs, a.offers) {
			return fmt.Errorf("administrator /me %s, want perimeter %v × %v", r.body, a.billingAccounts, a.offers)
		}
		return nil
	}
	var want []api.MeContract
	for _, id := range w.wantContracts(a) {
		roles, _ := w.wantRoles(a, id)
		want = append(want, api.MeContract{ID: id, Roles: roles.wire()})
	}
	if me.Perimeter != nil || !equalJSON(me.Contracts, want) {
		return fmt.Errorf("client /me lists %+v (perimeter %v), want %+v", me.Contracts, me.Perimeter, want)
	}
	return nil
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// equalJSON compares two values by their JSON forms: what the wire can tell apart.
func equalJSON(a, b any) bool {
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(ja, jb)
}
