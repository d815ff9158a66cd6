package testenv

import "testing"

func TestLookPathFindsAProgramEveryMachineHas(t *testing.T) {
	if got := LookPath(t, "sh"); got == "" {
		t.Fatal("no path for sh")
	}
}

func TestRequireAllReadsTheEnvironment(t *testing.T) {
	t.Setenv("ECCS_TEST_REQUIRE_ALL", "1")
	if !RequireAll() {
		t.Fatal("ECCS_TEST_REQUIRE_ALL=1 not seen")
	}
	t.Setenv("ECCS_TEST_REQUIRE_ALL", "")
	if RequireAll() {
		t.Fatal("RequireAll without the variable")
	}
}
