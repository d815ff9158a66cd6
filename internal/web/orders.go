package web

import (
	"net/http"
	"net/url"

	"github.com/eccs/eccs/internal/eccs"
)

// orderFields are the fields of the order form, as POST /contract's body names them.
var orderFields = []string{"billingAccountId", "offerCode", "contractName", "supportLevel",
	"referentCivility", "referentName", "referentFirstName", "referentMail", "referentFixPhone",
	"referentMobilePhone", "referenceExt1", "referenceExt2", "referenceExt3"}

// orderForm is the data of the order form.
type orderForm struct {
	Fields    []string
	Perimeter eccs.Perimeter
	Ordered   string // the number of the contract just ordered
}

// handleOrderForm is GET /order: the form that orders a contract, for administrator accounts.
func (s *server) handleOrderForm(q *request) error {
	if _, err := eccs.MayOrderContracts(q.session.Account); err != nil {
		return err
	}
	data := orderForm{Fields: orderFields, Perimeter: q.session.Account.Perimeter, Ordered: q.r.URL.Query().Get("ordered")}
	if data.Ordered != "" && !eccs.ValidContractID(data.Ordered) {
		data.Ordered = ""
	}
	s.render(q, http.StatusOK, "order", view{Title: "order.title", Nav: "order", Form: url.Values{}, Data: data})
	return nil
}

// handleOrder is POST /order: order a contract with the rules of POST /contract.
func (s *server) handleOrder(q *request) error {
	orderer, err := eccs.MayOrderContracts(q.session.Account)
	if err != nil {
		return err
	}
	f := q.r.PostForm
	c, err := s.svc.OrderContract(q.ctx, orderer, eccs.ContractOrder{
		BillingAccountID: f.Get("billingAccountId"), OfferCode: f.Get("offerCode"), ContractName: f.Get("contractName"),
		SupportLevel: f.Get("supportLevel"), ReferentCivility: f.Get("referentCivility"), ReferentName: f.Get("referentName"),
		ReferentFirstName: f.Get("referentFirstName"), ReferentMail: f.Get("referentMail"), ReferentFixPhone: f.Get("referentFixPhone"),
		ReferentMobilePhone: f.Get("referentMobilePhone"),
		ReferenceExt:        [3]string{f.Get("referenceExt1"), f.Get("referenceExt2"), f.Get("referenceExt3")},
	})
	if eccs.ErrorCode(err) == eccs.Forbidden {
		// Outside the perimeter: the form stays, with the reason above it.
		err = &eccs.Error{Code: eccs.Invalid, Field: "billingAccountId", Message: err.Error()}
	}
	if err != nil {
		return invalidForm(err, formAgain{page: "order", nav: "order", title: "order.title", values: f,
			data: orderForm{Fields: orderFields, Perimeter: q.session.Account.Perimeter}})
	}
	http.Redirect(q.w, q.r, "/order?ordered="+url.QueryEscape(c.ID), http.StatusSeeOther)
	return nil
}
