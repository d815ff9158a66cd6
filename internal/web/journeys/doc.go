// Package journeys holds the browser journeys of the customers' web space: a real headless
// Chromium (testkit/browsertest) drives the real server (API, admin API and web space on one
// origin, http://localhost:PORT, over SQLite seeded with the dev world) whose mails go through
// SMTP to a real Mailpit (testkit/mailtest). Every page a journey visits is saved as a
// screenshot under $ECCS_TEST_ARTIFACTS/screenshots, in English and, where the journey can come
// back to the page, in French. The package has no code of its own; its tests are the journeys.
package journeys
