package web

import "net/http"

// routes registers every route of the web space (Go 1.22 patterns). GET pages change nothing;
// every change is a POST, refused when it comes from another origin (s.cop). page needs a
// signed-in person and acts as their chosen account; public does not.
func (s *server) routes() {
	m := s.mux
	m.Handle("GET /{$}", s.page(s.handleHome))
	m.Handle("GET /assets/{name}", http.HandlerFunc(s.handleAsset))
	m.Handle("POST /language", s.public(s.handleLanguage))

	m.Handle("GET /contracts", s.page(s.handleContracts))
	m.Handle("GET /contracts/{id}", s.page(s.handleContract))
	m.Handle("GET /contracts/{id}/documents", s.page(s.handleContractDocuments))
	m.Handle("GET /contracts/{id}/documents/{doc}/file", s.page(s.handleDocumentFile))
	m.Handle("GET /contracts/{id}/documents/{doc}/preview", s.page(s.handleDocumentPreview))
	m.Handle("GET /documents", s.page(s.handleAllDocuments))
	m.Handle("GET /documents/archive", s.page(s.handleArchive))

	m.Handle("GET /contracts/{id}/users/new", s.page(s.handleUserForm))
	m.Handle("POST /contracts/{id}/users", s.page(s.handleUserDeclare))
	m.Handle("POST /contracts/{id}/users/{identity}/roles", s.page(s.handleUserRoles))
	m.Handle("POST /contracts/{id}/users/{identity}/remove", s.page(s.handleUserRemove))

	m.Handle("GET /order", s.page(s.handleOrderForm))
	m.Handle("POST /order", s.page(s.handleOrder))

	m.Handle("GET /keys", s.page(s.handleKeys))
	m.Handle("POST /keys", s.page(s.handleKeyIssue))
	m.Handle("POST /keys/{id}/rotate", s.page(s.handleKeyRotate))
	m.Handle("POST /keys/{id}/revoke", s.page(s.handleKeyRevoke))

	m.Handle("/", s.public(func(*request) error { return errNotFound }))
}
