package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/eccs/eccs/internal/eccs"
)

// contractsPageSize is the number of contracts a page lists.
const contractsPageSize = 25

// contractList is the data of the contracts page.
type contractList struct {
	Contracts []eccs.Contract
	Search    string
	Total     int
	More      bool // the search matches more than eccs.MaxContractSearchTotal: Total and Pages are unknown
	Page      int  // from 1
	Pages     int
	PrevURL   string
	NextURL   string
}

// handleContracts is GET /contracts: the contracts the account sees, searched by number or
// name, a page at a time.
func (s *server) handleContracts(q *request) error {
	search := q.r.URL.Query().Get("q")
	page := pageNumber(q.r.URL.Query().Get("page"))
	list, total, err := s.svc.SearchContracts(q.ctx, q.session.Account, search,
		eccs.Page{Offset: (page - 1) * contractsPageSize, Limit: contractsPageSize})
	if eccs.ErrorCode(err) == eccs.Invalid {
		return invalidForm(err, formAgain{page: "contracts", nav: "contracts", title: "contracts.title",
			values: url.Values{"q": {search}}, data: contractList{Page: 1, Pages: 1}})
	}
	if err != nil {
		return err
	}
	data := newContractList(list, search, total, page)
	s.render(q, http.StatusOK, "contracts", view{Title: "contracts.title", Nav: "contracts", Form: url.Values{"q": {search}}, Data: data})
	return nil
}

// newContractList is the data of page number page of a contract list: list, the contracts
// of that page, among total (more than eccs.MaxContractSearchTotal when a search's count
// stopped at its cap) that search matches.
func newContractList(list []eccs.Contract, search string, total, page int) contractList {
	data := contractList{Contracts: list, Search: search, Total: total, Page: page,
		Pages: max(1, (total+contractsPageSize-1)/contractsPageSize)}
	if strings.TrimSpace(search) != "" && total > eccs.MaxContractSearchTotal {
		// The count stopped at the cap: a full page may have a next one.
		data.More, data.Pages = true, page
		if len(list) == contractsPageSize {
			data.Pages = page + 1
		}
	}
	link := func(p int) string {
		v := url.Values{"page": {strconv.Itoa(p)}}
		if search != "" {
			v.Set("q", search)
		}
		return "/contracts?" + v.Encode()
	}
	if page > 1 {
		data.PrevURL = link(page - 1)
	}
	if page < data.Pages {
		data.NextURL = link(page + 1)
	}
	return data
}

// pageNumber reads a page number from 1; anything else is page 1.
func pageNumber(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 1_000_000 {
		return 1
	}
	return n
}

// contractPage is the data of a contract's page.
type contractPage struct {
	Contract    eccs.Contract
	Roles       eccs.Roles
	Users       []eccs.User
	SeesUsers   bool
	MayManage   bool
	SeesDocs    bool
	Sections    []eccs.Section
	RoleChoices []eccs.Role
	ReferentID  string
	Invited     string // the e-mail an invitation was just sent to
}

// access returns the account's access to contract id. An unknown contract and another
// customer's answer the same 404 page.
func (s *server) access(q *request, id string) (eccs.Access, error) {
	if !eccs.ValidContractID(id) {
		return eccs.Access{}, errNotFound
	}
	a, err := s.svc.ContractAccess(q.ctx, q.session.Account, id)
	if eccs.ErrorCode(err) == eccs.Forbidden {
		return eccs.Access{}, errNotFound
	}
	return a, err
}

// handleContract is GET /contracts/{id}: the contract with its offer, customer, referent and,
// for a role on its users section, its users and their roles.
func (s *server) handleContract(q *request) error {
	a, err := s.access(q, q.r.PathValue("id"))
	if err != nil {
		return err
	}
	data, err := s.contractData(q, a)
	if err != nil {
		return err
	}
	s.render(q, http.StatusOK, "contract", view{Title: "contract.title", Nav: "contracts", Data: data})
	return nil
}

func (s *server) contractData(q *request, a eccs.Access) (contractPage, error) {
	data := contractPage{Contract: a.Contract(), Roles: a.Roles(), Sections: eccs.Sections,
		RoleChoices: []eccs.Role{eccs.RoleNone, eccs.RoleVisitor, eccs.RoleManager}, ReferentID: a.Contract().Referent.ID}
	_, docErr := eccs.MayReadDocuments(a)
	data.SeesDocs = docErr == nil
	_, manageErr := eccs.MayDeclareUsers(a)
	data.MayManage = manageErr == nil
	if reader, err := eccs.MayReadUsers(a); err == nil {
		users, err := s.svc.ContractUsers(q.ctx, reader)
		if err != nil {
			return contractPage{}, err
		}
		data.Users, data.SeesUsers = users, true
	}
	return data, nil
}
