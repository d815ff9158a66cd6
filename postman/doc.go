// Package postman holds the Postman collection of the API (eccs.postman_collection.json) and its
// test, which runs the collection with newman against a real `eccsd serve -dev`.
package postman
