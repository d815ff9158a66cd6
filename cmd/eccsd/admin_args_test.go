package main

import (
	"strings"
	"testing"
)

// A command run with too few or too many arguments says what it needs, in words, before it
// reaches any server.
func TestAdminArgumentErrorsSayWhatIsNeeded(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		says string
	}{
		{[]string{"accounts", "show"}, "eccsd admin accounts show needs ACCOUNT (an account id, or its holder's e-mail or login)"},
		{[]string{"keys", "issue"}, "eccsd admin keys issue needs ACCOUNT (an account id, or its holder's e-mail or login)"},
		{[]string{"contracts", "show"}, "eccsd admin contracts show needs CONTRACT (a contract number, such as OCB0000001, or --contract)"},
		{[]string{"keys", "show"}, "eccsd admin keys show needs ID"},
		{[]string{"keys", "show", "a", "b"}, `eccsd admin keys show takes only ID: unexpected "b"`},
		{[]string{"apps", "subscription", "x", "approved", "y", "z"}, `eccsd admin apps subscription takes only ID STATE: unexpected "y" "z"`},
		{[]string{"documents", "delete"}, "eccsd admin documents delete takes CONTRACT DOCUMENT: give both"},
		{[]string{"documents", "replace"}, "eccsd admin documents replace takes CONTRACT DOCUMENT FILE: give all three"},
		{[]string{"documents", "replace", "OCB0000001"}, "eccsd admin documents replace takes CONTRACT DOCUMENT FILE: DOCUMENT and FILE are missing"},
		{[]string{"documents", "delete", "OCB0000001"}, "eccsd admin documents delete takes CONTRACT DOCUMENT: DOCUMENT is missing (a document id, as `eccsd admin documents list CONTRACT` shows)"},
		{[]string{"users", "remove", "-c", "OCB0000001"}, "eccsd admin users remove takes CONTRACT IDENTITY: IDENTITY is missing (a user's identity id, as `eccsd admin users list CONTRACT` shows): --contract gives the CONTRACT argument"},
		{[]string{"import"}, "eccsd admin import needs DIR (the folder to import)"},
		{[]string{"people", "show", ""}, "eccsd admin people show: PERSON is empty"},
	} {
		_, stderr, err := runCmd(t, noEnv, append([]string{"admin"}, tc.args...)...)
		if exitCode(err) != exitLocal || !strings.Contains(stderr, "eccsd: "+tc.says+"\n") || strings.Contains(stderr, "argument(s)") {
			t.Errorf("eccsd admin %s: exit %d, stderr %q; want 1 and %q", strings.Join(tc.args, " "), exitCode(err), stderr, tc.says)
		}
	}
}
