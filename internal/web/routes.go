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

	m.Handle("POST /contracts/{id}/users/{identity}/invite", s.page(s.handleUserInvite))

	m.Handle("GET /signin", s.public(s.handleSignInForm))
	m.Handle("POST /signin", s.public(s.handleSignIn))
	m.Handle("GET /signin/code", s.public(s.handleCodeForm))
	m.Handle("POST /signin/code", s.public(s.handleCode))
	m.Handle("POST /signin/passkey", s.public(s.handlePasskeySignInBegin))
	m.Handle("POST /signin/passkey/finish", s.public(s.handlePasskeySignInFinish))
	m.Handle("POST /signout", s.public(s.handleSignOut))
	m.Handle("GET /password-reset", s.public(s.handleResetForm))
	m.Handle("POST /password-reset", s.public(s.handleReset))
	m.Handle("GET /password-reset/{token}", s.public(s.handleLink))
	m.Handle("POST /password-reset/{token}", s.public(s.handleLinkPassword))
	m.Handle("GET /invitation/{token}", s.public(s.handleLink))
	m.Handle("POST /invitation/{token}", s.public(s.handleLinkPassword))

	m.Handle("GET /account", s.personPage(s.handleAccount))
	m.Handle("POST /account/language", s.personPage(s.handleAccountLanguage))
	m.Handle("POST /account/password", s.personPage(s.handleAccountPassword))
	m.Handle("POST /account/totp", s.personPage(s.handleTOTPBegin))
	m.Handle("POST /account/totp/confirm", s.personPage(s.handleTOTPConfirm))
	m.Handle("POST /account/totp/remove", s.personPage(s.handleTOTPRemove))
	m.Handle("POST /account/passkeys", s.personPage(s.handlePasskeyAddBegin))
	m.Handle("POST /account/passkeys/finish", s.personPage(s.handlePasskeyAddFinish))
	m.Handle("POST /account/passkeys/{id}/remove", s.personPage(s.handlePasskeyRemove))
	m.Handle("POST /account/sessions/{id}/signout", s.personPage(s.handleSessionEnd))
	m.Handle("POST /account/sessions/signout", s.personPage(s.handleSignOutEverywhere))
	m.Handle("POST /account/switch", s.personPage(s.handleSwitch))

	if s.cfg.DevMails != nil {
		m.Handle("GET /dev/mail", s.public(s.handleDevMail))
	}

	m.Handle("/", s.public(func(*request) error { return errNotFound }))
}
