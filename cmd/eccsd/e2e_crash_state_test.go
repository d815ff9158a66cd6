package main

// What the crash test (e2e_crash_test.go) finds in the database the killed server left: every
// table its writes touch, read directly, and the invariants that must hold after the crash and
// the restart.

import (
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/internal/devseed"
)

// crashState is what the database holds, as far as the crash test is concerned.
type crashState struct {
	contracts    map[string]crashContract // by id
	identities   map[string]crashIdentity // by id
	declarations map[[2]string][3]int     // (contract, identity) → roles on contracts, documents, users
	documents    map[string]crashDocument // by id
	audit        []crashEvent
	counts       map[[2]string]int64 // contract_counts: (billing account, offer) → n
	counter      int64               // the contract counter
}

type crashContract struct{ id, name, billingAccount, offer, referent string }
type crashIdentity struct{ id, email, login string } // login: the sample contract's customer's record
type crashDocument struct {
	id, contract, filename, sha256, blobKey string
	size                                    int64
}
type crashEvent struct {
	action, objectID, requestID string
	details                     map[string]string
}

// readCrashState reads every table the checks need, in the SQL SQLite and PostgreSQL share.
func readCrashState(t *testing.T, db *sql.DB) crashState {
	t.Helper()
	st := crashState{contracts: map[string]crashContract{}, identities: map[string]crashIdentity{}, declarations: map[[2]string][3]int{},
		documents: map[string]crashDocument{}, counts: map[[2]string]int64{}}
	readCrashContracts(t, db, &st)
	readCrashDocumentsAndAudit(t, db, &st)
	eachRow(t, db, `SELECT billing_account_id, offer_id, n FROM contract_counts`, func(r *sql.Rows) error {
		var k [2]string
		var n int64
		err := r.Scan(&k[0], &k[1], &n)
		st.counts[k] = n
		return err
	})
	eachRow(t, db, `SELECT value FROM counters WHERE name = 'contract'`, func(r *sql.Rows) error { return r.Scan(&st.counter) })
	return st
}

// eachRow runs the query q and calls scan on each of its rows; an error fails the test.
func eachRow(t *testing.T, db *sql.DB, q string, scan func(rows *sql.Rows) error) {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// readCrashContracts reads the contracts, the identities and the declarations into st.
func readCrashContracts(t *testing.T, db *sql.DB, st *crashState) {
	t.Helper()
	eachRow(t, db, `SELECT id, name, billing_account_id, offer_id, referent_id FROM contracts`, func(r *sql.Rows) error {
		var c crashContract
		err := r.Scan(&c.id, &c.name, &c.billingAccount, &c.offer, &c.referent)
		st.contracts[c.id] = c
		return err
	})
	// A person's login on the sample contract is its customer's record of them.
	eachRow(t, db, `SELECT i.id, i.email, COALESCE(ct.login, i.login) FROM identities i
		LEFT JOIN contacts ct ON ct.identity_id = i.id AND ct.customer_id = (SELECT b.customer_id FROM contracts c
			JOIN billing_accounts b ON b.id = c.billing_account_id WHERE c.id = '`+devseed.SampleContractID+`')`, func(r *sql.Rows) error {
		var i crashIdentity
		err := r.Scan(&i.id, &i.email, &i.login)
		st.identities[i.id] = i
		return err
	})
	eachRow(t, db, `SELECT contract_id, identity_id, role_contracts, role_documents, role_users FROM declarations`, func(r *sql.Rows) error {
		var k [2]string
		var roles [3]int
		err := r.Scan(&k[0], &k[1], &roles[0], &roles[1], &roles[2])
		st.declarations[k] = roles
		return err
	})
}

// readCrashDocumentsAndAudit reads the documents and the audit events into st.
func readCrashDocumentsAndAudit(t *testing.T, db *sql.DB, st *crashState) {
	t.Helper()
	eachRow(t, db, `SELECT id, contract_id, filename, size, sha256, blob_key FROM documents`, func(r *sql.Rows) error {
		var d crashDocument
		err := r.Scan(&d.id, &d.contract, &d.filename, &d.size, &d.sha256, &d.blobKey)
		st.documents[d.id] = d
		return err
	})
	eachRow(t, db, `SELECT action, object_id, request_id, details FROM audit_events`, func(r *sql.Rows) error {
		var e crashEvent
		var details string
		if err := r.Scan(&e.action, &e.objectID, &e.requestID, &details); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(details), &e.details); err != nil {
			return err
		}
		st.audit = append(st.audit, e)
		return nil
	})
}

// checkCrashState checks the invariants of the data after the crash and the restart:
// acknowledged writes are there whole, with the ids answered; unanswered ones are whole or
// absent; refused ones are absent; every change has its audit event.
func checkCrashState(t *testing.T, st crashState, writes []*crashWrite) {
	t.Helper()
	x := indexCrashState(st)
	ids := map[string]int{} // answered ids: unique
	found := map[string]int{}
	for _, w := range writes {
		if w.status/100 == 2 {
			if prev, dup := ids[w.kind+" "+w.id]; dup {
				t.Errorf("writes %d and %d were both answered %s %s", prev, w.i, w.kind, w.id)
			}
			ids[w.kind+" "+w.id] = w.i
		}
		var n int // how many times the write is there
		switch w.kind {
		case "contract":
			n = x.contractCopies(t, w)
		case "user":
			n = x.userCopies(t, w)
		case "document":
			n = x.documentCopies(t, w)
		}
		switch {
		case n > 1:
			t.Errorf("write %d (%s %s) is there %d times", w.i, w.kind, w.key, n)
		case w.status/100 == 2 && n != 1:
			t.Errorf("write %d (%s %s) was acknowledged (%d, %s) but is not there", w.i, w.kind, w.key, w.status, w.id)
		case (w.status != 0 && w.status/100 != 2 || !w.sent) && n != 0:
			t.Errorf("write %d (%s %s) was refused (%d) or never sent, but is there", w.i, w.kind, w.key, w.status)
		}
		if n == 1 {
			found[w.kind]++
		}
	}
	checkCrashIdentitiesUsed(t, st)
	checkContractCounts(t, st)
	t.Logf("in the database after the restart: %v of the writes (acknowledged, and unanswered ones that committed)", found)
}

// crashIndex is the database's rows by what finds the write that made them: contracts by
// name, identities by e-mail, documents by filename, audit events by "action object".
type crashIndex struct {
	st         crashState
	events     map[string][]crashEvent
	byName     map[string][]crashContract
	byEmail    map[string]crashIdentity
	byFilename map[string][]crashDocument
}

func indexCrashState(st crashState) *crashIndex {
	x := &crashIndex{st: st, events: map[string][]crashEvent{}, byName: map[string][]crashContract{},
		byEmail: map[string]crashIdentity{}, byFilename: map[string][]crashDocument{}}
	for _, e := range st.audit {
		var k string
		switch e.action {
		case "contract.order":
			k = e.objectID
		case "user.declare":
			k = e.objectID + " " + e.details["identity"]
		case "document.add":
			k = e.details["document"]
		default:
			continue
		}
		x.events[e.action+" "+k] = append(x.events[e.action+" "+k], e)
	}
	for _, c := range st.contracts {
		x.byName[c.name] = append(x.byName[c.name], c)
	}
	for _, i := range st.identities {
		x.byEmail[strings.ToLower(i.email)] = i
	}
	for _, d := range st.documents {
		x.byFilename[d.filename] = append(x.byFilename[d.filename], d)
	}
	return x
}

// oneEvent checks that the change key ("action object") of write w has exactly one audit
// event, with the request id of the answer when there was one.
func (x *crashIndex) oneEvent(t *testing.T, w *crashWrite, key string) {
	t.Helper()
	list := x.events[key]
	if len(list) != 1 {
		t.Errorf("write %d (%s %s): %d audit events %q, want 1", w.i, w.kind, w.key, len(list), key)
		return
	}
	if w.status/100 == 2 && list[0].requestID != w.reqID {
		t.Errorf("write %d (%s %s): its audit event has request id %q, the answer %q", w.i, w.kind, w.key, list[0].requestID, w.reqID)
	}
}

// contractCopies checks the contracts a contract order made (its referent, declared manager
// everywhere; a number within the counter; its audit event; the number answered) and returns
// how many there are.
func (x *crashIndex) contractCopies(t *testing.T, w *crashWrite) int {
	t.Helper()
	list := x.byName[w.key]
	for _, c := range list {
		ref := x.st.identities[c.referent]
		var order api.ContractOrder
		json.Unmarshal(w.body, &order)
		if !strings.EqualFold(ref.email, order.ReferentMail) {
			t.Errorf("contract %s (write %d): referent %q, want %s", c.id, w.i, ref.email, order.ReferentMail)
		}
		if roles, ok := x.st.declarations[[2]string{c.id, c.referent}]; !ok || roles != [3]int{2, 2, 2} {
			t.Errorf("contract %s (write %d): its referent's declaration is %v (present: %v), want manager everywhere", c.id, w.i, roles, ok)
		}
		if num, err := strconv.ParseInt(strings.TrimPrefix(c.id, "OCB"), 10, 64); err != nil || num > x.st.counter {
			t.Errorf("contract %s (write %d): its number is above the contract counter %d", c.id, w.i, x.st.counter)
		}
		x.oneEvent(t, w, "contract.order "+c.id)
		if w.status/100 == 2 && c.id != w.id {
			t.Errorf("write %d was answered contract %s, but its contract is %s", w.i, w.id, c.id)
		}
	}
	return len(list)
}

// userCopies checks the identity a user declaration made: declared on the sample contract
// with the roles asked (else it is half there), its audit event, the login answered. It
// returns 1 when the declaration is there whole, else 0.
func (x *crashIndex) userCopies(t *testing.T, w *crashWrite) int {
	t.Helper()
	id, ok := x.byEmail[w.key]
	if !ok {
		return 0
	}
	n := 0
	roles, declared := x.st.declarations[[2]string{devseed.SampleContractID, id.id}]
	switch {
	case !declared:
		t.Errorf("write %d: identity %s (%s) exists without its declaration: half there", w.i, id.id, w.key)
	case roles != [3]int{1, 2, 0}:
		t.Errorf("write %d: declared with roles %v, want [1 2 0] (visitor, manager, none)", w.i, roles)
	default:
		n = 1
		x.oneEvent(t, w, "user.declare "+devseed.SampleContractID+" "+id.id)
	}
	if w.status/100 == 2 && id.login != w.id {
		t.Errorf("write %d was answered login %s, the identity has %s", w.i, w.id, id.login)
	}
	return n
}

// documentCopies checks the documents an upload made (the contract, size and sha256 sent; its
// audit event; the id answered) and returns how many there are.
func (x *crashIndex) documentCopies(t *testing.T, w *crashWrite) int {
	t.Helper()
	list := x.byFilename[w.key]
	sum := sha256.Sum256(w.body)
	for _, d := range list {
		if d.contract != "OCB0000003" || d.size != int64(len(w.body)) || d.sha256 != hex.EncodeToString(sum[:]) {
			t.Errorf("document %s (write %d): contract %s, %d bytes, sha256 %s; want OCB0000003, the %d bytes sent, %x", d.id, w.i, d.contract, d.size, d.sha256, len(w.body), sum)
		}
		x.oneEvent(t, w, "document.add "+d.id)
		if w.status/100 == 2 && d.id != w.id {
			t.Errorf("write %d was answered document %s, but its document is %s", w.i, w.id, d.id)
		}
	}
	return len(list)
}

// checkCrashIdentitiesUsed checks that the identities the test created are all in use (none
// left by a transaction cut short).
func checkCrashIdentitiesUsed(t *testing.T, st crashState) {
	t.Helper()
	for _, i := range st.identities {
		if !strings.HasPrefix(i.email, "crash.") {
			continue
		}
		used := false
		for k := range st.declarations {
			used = used || k[1] == i.id
		}
		if !used {
			t.Errorf("identity %s (%s) is declared nowhere: half a write", i.id, i.email)
		}
	}
}

// checkContractCounts checks that contract_counts agrees with the contracts.
func checkContractCounts(t *testing.T, st crashState) {
	t.Helper()
	counted := map[[2]string]int64{}
	for _, c := range st.contracts {
		counted[[2]string{c.billingAccount, c.offer}]++
	}
	for k, n := range counted {
		if st.counts[k] != n {
			t.Errorf("contract_counts says %d contracts for %v, there are %d", st.counts[k], k, n)
		}
	}
	for k, n := range st.counts {
		if counted[k] != n {
			t.Errorf("contract_counts says %d contracts for %v, there are %d", n, k, counted[k])
		}
	}
}

// orphanObjects returns the keys of the store's objects no document refers to, and those of
// temporary files (names no key can have, such as fileblob's "~tmp-…").
func orphanObjects(st crashState, objects map[string]storedObject) (orphans, temps []string) {
	referenced := map[string]bool{}
	for _, d := range st.documents {
		referenced[d.blobKey] = true
	}
	for key := range objects {
		switch {
		case strings.Contains(key, "~"):
			temps = append(temps, key)
		case !referenced[key]:
			orphans = append(orphans, key)
		}
	}
	slices.Sort(orphans)
	slices.Sort(temps)
	return orphans, temps
}

func firstFew(list []string) []string {
	if len(list) > 5 {
		return append(list[:5:5], "…")
	}
	return list
}
