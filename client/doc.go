// Package client is the Go SDK of the Cloud Store Customer Space API. It works against the real
// gateway (https://api.orange.com) and against eccs (`eccsd serve -dev` on
// http://127.0.0.1:8080) alike.
//
// It does what integrators' scripts often get wrong:
//   - it gets an access token with the client credentials (OAuth 2.0, through
//     golang.org/x/oauth2/clientcredentials), reuses it until it expires, and fetches a new one
//     once when the API answers 401 with code 42 — never one token per call;
//   - it retries calls refused for load (429, 503, or 403 with code 53) after the delay the API
//     asks for, or a jittered backoff;
//   - it pages lists with limit and offset (iterators) and never indexes past what came back;
//   - downloads stream, resume after a broken connection with Range and If-Range, and are
//     checked against the server's SHA-256 before they are trusted; DownloadToDir never leaves
//     a partial file under the final name;
//   - every error of the API is an *Error with its status, code, message, description and
//     request id.
//
// Credentials come from options or the environment: ECCS_BASE_URL, ECCS_CLIENT_ID,
// ECCS_CLIENT_SECRET, ECCS_API_KEY.
//
//	c, err := client.New("http://127.0.0.1:8080",
//		client.WithCredentials(clientID, clientSecret), client.WithAPIKey(apiKey))
//	if err != nil {
//		log.Fatal(err)
//	}
//	contracts, err := c.Contracts(ctx)
//	…
//	bill, err := c.LatestDocument(ctx, "OCB0000001", api.DocumentBills, "")
//	…
//	path, _, err := c.DownloadToDir(ctx, "OCB0000001", bill.ID, ".", false)
//
// Errors can be inspected:
//
//	var apiErr *client.Error
//	if errors.As(err, &apiErr) && apiErr.Code == api.CodeAccessDenied {
//		// the contract does not exist or the key may not see it
//	}
package client
