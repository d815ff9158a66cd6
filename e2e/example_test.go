package e2e_test

// The SDK's examples, run against a real eccs server (the demo world) that TestMain starts and
// checked against the output they print; like a program, they read where it is and the
// credentials from ECCS_BASE_URL, ECCS_CLIENT_ID, ECCS_CLIENT_SECRET and ECCS_API_KEY. Against
// `eccsd serve -dev`, export the values it prints. (client/example_test.go shows the SDK's use
// in its documentation without running it.)

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"

	"github.com/eccs/eccs/api"
	"github.com/eccs/eccs/client"
)

func Example() {
	ctx := context.Background()
	c, err := client.New("") // ECCS_BASE_URL, or https://api.orange.com
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
	// Output:
	// OCB0000001 ACME-PROD Flexible Engine
	// OCB0000002 ACME-DEV Flexible Engine
	// OCB0000003 ACME-VDC-PARIS Cloud Avenue
}

func Example_documents() {
	ctx := context.Background()
	c, err := client.New("")
	if err != nil {
		log.Fatal(err)
	}
	// The three latest bills, newest first.
	bills, err := c.Documents(ctx, "OCB0000001", client.DocumentQuery{Type: api.DocumentBills, Limit: 3})
	if err != nil {
		log.Fatal(err)
	}
	for _, d := range bills {
		fmt.Println(d.Period, d.Filename, d.Currency)
	}
	// Output:
	// 202605 OCB0000001_202605_bill.xlsx EUR
	// 202604 OCB0000001_202604_bill.xlsx EUR
	// 202603 OCB0000001_202603_bill.xlsx EUR
}

func Example_allDocuments() {
	ctx := context.Background()
	c, err := client.New("")
	if err != nil {
		log.Fatal(err)
	}
	// Every consumption report, fetched 5 at a time: the iterator pages with limit and offset.
	n := 0
	for d, err := range c.AllDocuments(ctx, "OCB0000001", api.DocumentConsumptionRatedReports, 5) {
		if err != nil {
			log.Fatal(err)
		}
		if n == 0 {
			fmt.Println("latest:", d.Period)
		}
		n++
	}
	fmt.Println(n, "consumption reports")
	// Output:
	// latest: 202605
	// 13 consumption reports
}

func Example_downloadToDir() {
	ctx := context.Background()
	c, err := client.New("")
	if err != nil {
		log.Fatal(err)
	}
	bill, err := c.LatestDocument(ctx, "OCB0000001", api.DocumentBills, "")
	if err != nil {
		log.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "bills-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	// The file appears under its final name only once complete and checked against the
	// server's SHA-256; a broken connection resumes where it stopped.
	path, d, err := c.DownloadToDir(ctx, "OCB0000001", bill.ID, dir, false)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(path == dir+"/"+bill.Filename, d.Verified)
	// Output:
	// true true
}

func Example_error() {
	ctx := context.Background()
	c, err := client.New("")
	if err != nil {
		log.Fatal(err)
	}
	_, err = c.Contract(ctx, "OCB0000005")
	var apiErr *client.Error
	if errors.As(err, &apiErr) {
		// A contract that does not exist and one the key may not see answer alike.
		fmt.Println(apiErr.Status, apiErr.Code, apiErr.Message, apiErr.RequestID != "")
	}
	// Output:
	// 403 50 Access denied true
}

func Example_me() {
	ctx := context.Background()
	c, err := client.New("")
	if err != nil {
		log.Fatal(err)
	}
	me, err := c.Me(ctx) // an eccs extension: the real gateway answers 404
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(me.Account.Type, me.Account.Login, len(me.Contracts))
	// Output:
	// client claire.martin 3
}
