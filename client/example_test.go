package client_test

// This example shows the SDK's use in its documentation; it is compiled, not run (it has no
// Output comment): it needs a server. e2e/example_test.go runs examples like it against a real
// eccs server and checks what they print.

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/client"
)

func Example() {
	ctx := context.Background()
	// The base URL and the credentials come from ECCS_BASE_URL (default
	// https://api.orange.com), ECCS_CLIENT_ID, ECCS_CLIENT_SECRET and ECCS_API_KEY, unless
	// options give them. Against `eccsd serve -dev`, export the values it prints.
	c, err := client.New("")
	if err != nil {
		log.Fatal(err)
	}
	contracts, err := c.Contracts(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, ct := range contracts {
		fmt.Println(ct.ID, ct.Name, ct.Offer.Name)
	}
	// The latest bill of the first contract, saved in the current directory under its own
	// name once complete and checked against the server's SHA-256.
	bill, err := c.LatestDocument(ctx, contracts[0].ID, api.DocumentBills, "")
	var apiErr *client.Error
	if errors.As(err, &apiErr) && apiErr.RateLimited() {
		log.Fatalf("still refused after the retries: come back in %s", apiErr.RetryAfter)
	} else if err != nil {
		log.Fatal(err)
	}
	path, _, err := c.DownloadToDir(ctx, contracts[0].ID, bill.ID, ".", false)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("saved", path)
}
