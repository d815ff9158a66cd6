// Package eccs is the domain of the Cloud Store Customer Space API: its vocabulary, its rules
// and the interfaces that storage adapters implement. It imports nothing from this module.
//
// The vocabulary, in ten lines:
//   - A Customer (a company, with a market Segment) owns BillingAccounts.
//   - An Offer (Flexible Engine, Cloud Avenue…) is sold with a list of support levels.
//   - A Contract binds a billing account to an offer; its id is "OCB" + 7 digits.
//   - An Identity is a person (login, e-mail, phones); one identity per e-mail address.
//   - A Declaration puts an identity on a contract with a Role per Section.
//   - An Account is a customer-space login of type client (sees the contracts its identity is
//     declared on) or administrator (sees every contract of its Perimeter). An APIKey names it.
//   - An Application (client id and secret) obtains the bearer token; any approved application
//     may carry any valid key.
//   - A Document (bill, invoice, report…) belongs to a contract; its bytes live in a BlobStore.
//
// Rules live here once: visibility and roles, validation, id allocation, secret hashing and
// token minting. Stores only persist, so every Store behaves the same.
package eccs
