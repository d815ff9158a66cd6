// Package client is the Go SDK of the Cloud Store Customer Space API. It works against the real
// gateway (https://api.orange.com) and against eccs (`eccsd serve -dev` on
// http://127.0.0.1:8080) alike, and imports nothing of eccs but its wire types (package api).
//
// It does what integrators' scripts often get wrong:
//   - it gets an access token with the client credentials (OAuth 2.0 client credentials,
//     through golang.org/x/oauth2/clientcredentials), reuses it for every call until shortly
//     before it expires (never a hard-coded lifetime, never one token per call), and when the
//     API answers 401 with code 42 it fetches a new one once and sends the call again;
//     concurrent calls share one token request;
//   - it retries calls refused for load (429, or 403 with code 53 on older gateways; 503 for
//     reads) after the delay the API asks for in Retry-After, or a jittered backoff, and gives
//     up with an *Error after a bounded number of attempts (WithRetries, WithMaxWait);
//   - lists page with limit and offset behind iterators (AllContracts, AllDocuments), and
//     nothing indexes past what came back;
//   - downloads stream, resume after a broken connection with Range and If-Range, and are
//     checked against the server's SHA-256 (Repr-Digest or ETag) before they are trusted;
//     DownloadToDir never leaves a partial file under the final name;
//   - every error answer is an *Error with its status, code, message, description and
//     request id; every call takes a context.Context.
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
// Lists page lazily:
//
//	for d, err := range c.AllDocuments(ctx, "OCB0000001", api.DocumentConsumptionRatedReports, 100) {
//		if err != nil {
//			return err
//		}
//		fmt.Println(d.Period, d.Filename)
//	}
//
// Errors can be inspected:
//
//	var apiErr *client.Error
//	switch {
//	case errors.As(err, &apiErr) && apiErr.Code == api.CodeAccessDenied:
//		// the contract does not exist or the key may not see it
//	case errors.As(err, &apiErr) && apiErr.RateLimited():
//		// still refused after the retries: come back after apiErr.RetryAfter
//	}
//
// The end-to-end tests (e2e/) run examples of this package against a real eccs server.
package client
