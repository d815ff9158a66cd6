package web_test

import (
	"testing"

	"github.com/eccs/eccs/internal/testkit/apitest"
)

func TestMain(m *testing.M) { apitest.Main(m) }
