package eccs

// Secret comparisons are constant-time by construction (doc/reliability.md). A secret is never
// compared with == or bytes.Equal, whose time depends on how many leading bytes match:
//
//   - client secrets, API keys, operator tokens and claim tokens are looked up by their keyed
//     hash (hashSecret: HMAC-SHA256 under a key outside the database) in an index, or
//     compared with hmac.Equal (secretMatches). The lookup's timing can only tell an attacker
//     how many leading bytes of HMAC(key, guess) match a stored HMAC, and without the key
//     no guess can be steered towards a stored value: it reveals nothing about a secret;
//   - access tokens are verified by recomputing their HMAC-SHA256 and comparing it with
//     hmac.Equal; the JOSE header they are compared with is public.
//
// This test reads the Go sources of the packages that handle secrets and fails on any
// comparison (==, !=, bytes.Equal, strings.EqualFold, …) or map index whose operand is named
// like a secret, a hash, a token, a key, a MAC or a signature, unless the other side is a
// constant (a literal, nil, an exported name) or a length, or the comparison is listed below
// with the reason it is safe. doc/reliability.md explains the method.

import (
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"
)

// secretDirs are the packages whose sources are checked, relative to this one.
var secretDirs = []string{".", "../httpapi", "../sqlstore", "../../cmd/eccsd"}

var secretName = regexp.MustCompile(`(?i)(secret|hash|token|mac|sig|key|password|sealed)`)

// secretIndex names what a map must not be keyed by: a secret itself (maps keyed by a hash,
// or by an application id called "key", are what the code does on purpose).
var secretIndex = regexp.MustCompile(`(?i)(secret|token|password|apikey)`)

// allowedComparisons are comparisons of secret-named values that are not of a secret with a
// stored one, by file and expression, with why.
var allowedComparisons = map[string]string{
	"token.go: formSecret != basicSecret":           "two values the same client sent (Basic and form); neither is stored, so the timing tells the client nothing it does not know",
	"links.go: kind == LinkPasswordReset":           "a link's kind, named after passwords, is no secret",
	"signin.go: cfg.Password == (PasswordParams{})": "the configured argon2 costs, which are no secret, against zero",
}

func TestSecretsAreComparedInConstantTime(t *testing.T) {
	fset := token.NewFileSet()
	checked, funcs := 0, map[string]*ast.FuncDecl{}
	for _, dir := range secretDirs {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no Go file in %s: %v", dir, err)
		}
		for _, name := range files {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			file, err := parser.ParseFile(fset, name, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			checked++
			for _, d := range file.Decls {
				if fn, ok := d.(*ast.FuncDecl); ok && dir == "." {
					funcs[fn.Name.Name] = fn
				}
			}
			for _, f := range secretComparisons(fset, file, filepath.Base(name)) {
				if _, ok := allowedComparisons[f.where]; !ok {
					t.Errorf("%s: %s compares a value named like a secret in variable time: use hmac.Equal on keyed hashes, or add it to allowedComparisons with the reason it is safe",
						fset.Position(f.pos), f.where)
				}
			}
		}
	}
	if checked < 30 {
		t.Fatalf("checked only %d files: the scan is broken", checked)
	}

	// The two places where a secret is compared use hmac.Equal.
	for _, name := range []string{"secretMatches", "verify"} {
		fn := funcs[name]
		if fn == nil {
			t.Fatalf("func %s not found in package eccs", name)
		}
		if !calls(fn, "hmac.Equal") {
			t.Errorf("%s does not compare with hmac.Equal", name)
		}
	}
}

type comparison struct {
	pos   token.Pos
	where string // "file.go: expression"
}

// secretComparisons returns the comparisons and map indexes of file that involve a value
// named like a secret and are not with a constant.
func secretComparisons(fset *token.FileSet, file *ast.File, base string) []comparison {
	var out []comparison
	ast.Inspect(file, func(n ast.Node) bool {
		where := base + ": " + types.ExprString(asExpr(n))
		switch n := n.(type) {
		case *ast.BinaryExpr:
			if (n.Op == token.EQL || n.Op == token.NEQ) && (secretOperand(n.X, n.Y) || secretOperand(n.Y, n.X)) {
				out = append(out, comparison{n.Pos(), where})
			}
		case *ast.CallExpr:
			switch types.ExprString(n.Fun) {
			case "bytes.Equal", "bytes.Compare", "strings.EqualFold", "strings.Compare", "slices.Equal", "reflect.DeepEqual":
				if len(n.Args) == 2 && (secretOperand(n.Args[0], n.Args[1]) || secretOperand(n.Args[1], n.Args[0])) {
					out = append(out, comparison{n.Pos(), where})
				}
			}
		case *ast.IndexExpr:
			// A map keyed by a secret would be looked up in variable time; keyed by
			// hashSecret(…) it is not a secret any more.
			if secretIndex.MatchString(lastName(n.Index)) && !isCallTo(n.Index, "hashSecret") && !constantLike(n.Index) {
				out = append(out, comparison{n.Pos(), where})
			}
		}
		return true
	})
	return out
}

// TestSecretComparisonsAreFound checks the checker: it finds the comparisons it is meant to.
func TestSecretComparisonsAreFound(t *testing.T) {
	src := `package p
func f() {
	_ = hashSecret(key, secret) == stored            // found
	_ = bytes.Equal(gotSig, want)                     // found
	_ = app.SecretHash != h                           // found
	_ = strings.EqualFold(token, other)               // found
	_ = byToken[token]                                // found
	_ = secret == ""                                  // a constant
	_ = len(key) == 0                                 // a length
	_ = kind == eccs.ClaimAPIKey                      // an exported constant
	_ = err != nil                                    // nothing secret
	_ = byHash[hashSecret(key, token)]                // a keyed hash
}`
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, "p.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range secretComparisons(fset, file, "p.go") {
		got = append(got, c.where)
	}
	want := []string{"p.go: hashSecret(key, secret) == stored", "p.go: bytes.Equal(gotSig, want)", "p.go: app.SecretHash != h",
		"p.go: strings.EqualFold(token, other)", "p.go: byToken[token]"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("found:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func asExpr(n ast.Node) ast.Expr {
	if e, ok := n.(ast.Expr); ok {
		return e
	}
	return &ast.BadExpr{}
}

// secretOperand reports whether x names a secret and is compared with other, which is not a
// constant: comparing a secret with "" or nil tells nothing.
func secretOperand(x, other ast.Expr) bool {
	if !secretName.MatchString(lastName(x)) || constantLike(x) {
		return false
	}
	return !constantLike(other)
}

// lastName is the name an expression ends with: k.Secret → Secret, hashSecret(…) → hashSecret.
func lastName(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.SelectorExpr:
		return e.Sel.Name
	case *ast.CallExpr:
		return lastName(e.Fun)
	case *ast.IndexExpr:
		return lastName(e.X)
	case *ast.ParenExpr:
		return lastName(e.X)
	case *ast.StarExpr:
		return lastName(e.X)
	case *ast.BinaryExpr:
		return lastName(e.X) + " " + lastName(e.Y)
	}
	return ""
}

// constantLike reports whether e is a literal, nil, true or false, an exported name (the
// constants of this code base are exported: eccs.ClaimAPIKey, api.TokenPath), or a length.
func constantLike(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.BasicLit:
		return true
	case *ast.Ident:
		return e.Name == "nil" || e.Name == "true" || e.Name == "false"
	case *ast.SelectorExpr:
		if _, ok := e.X.(*ast.Ident); ok {
			return unicode.IsUpper(rune(e.Sel.Name[0])) && isPackageName(e.X.(*ast.Ident).Name)
		}
	case *ast.CallExpr:
		return isCallTo(e, "len") || isCallTo(e, "claimObjectType")
	case *ast.ParenExpr:
		return constantLike(e.X)
	}
	return false
}

func isPackageName(name string) bool {
	switch name {
	case "eccs", "api", "admin", "http", "time":
		return true
	}
	return false
}

func isCallTo(e ast.Expr, name string) bool {
	c, ok := e.(*ast.CallExpr)
	return ok && types.ExprString(c.Fun) == name
}

// calls reports whether fn's body calls the function named name (such as "hmac.Equal").
func calls(fn *ast.FuncDecl, name string) bool {
	found := false
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		if c, ok := n.(*ast.CallExpr); ok && types.ExprString(c.Fun) == name {
			found = true
		}
		return !found
	})
	return found
}
