// Package webquality holds the quality run of the customers' web space: its test starts the
// web space on loopback over the dev world, signs a person in through the domain, and runs
// Lighthouse and axe-core on a page of every template (doc/accessibility.md). It runs only
// when ECCS_TEST_LIGHTHOUSE=1, after the Go tests (.ci/run); package.json pins the Node tools.
package webquality
