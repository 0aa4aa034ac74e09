package cli

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"strings"
	"testing"

	"github.com/gto-dev/gto/model"
)

// Every case the model marks with a Code is one the CLI words in terms of
// its flags: a new Code without CLI words fails here.
func TestEveryCodeHasCLIWords(t *testing.T) {
	t.Parallel()
	f, err := parser.ParseFile(token.NewFileSet(), "../../model/errors.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, decl := range f.Decls {
		gen, ok := decl.(*ast.GenDecl)
		if !ok || gen.Tok != token.CONST {
			continue
		}
		for _, spec := range gen.Specs {
			vs := spec.(*ast.ValueSpec)
			for i, name := range vs.Names {
				if strings.HasPrefix(name.Name, "Code") && i < len(vs.Values) {
					code, _ := strconv.Unquote(vs.Values[i].(*ast.BasicLit).Value)
					codes = append(codes, code)
				}
			}
		}
	}
	if len(codes) < 10 {
		t.Fatalf("found %d codes in model/errors.go", len(codes))
	}
	for _, code := range codes {
		err := &model.InvalidError{Detail: model.Detail{Code: code, Msg: "msg", Hint: "hint", Err: errors.New("cause")}}
		msg, ok := flagWording(err)
		if !ok || msg == "" || msg == err.Error() {
			t.Errorf("code %q: no CLI words (got %q, %v)", code, msg, ok)
		}
	}
}

// The CLI's words replace the registry's also inside a wrapping error.
func TestCLIWordsInAWrappedError(t *testing.T) {
	t.Parallel()
	inner := &model.ConflictError{Force: true, Detail: model.Detail{Code: model.CodeStageAssigned,
		Msg: `version v1 of artifact "m" is already in stage "prod"`, Hint: "force the assignment to assign it again"}}
	err := &wrapped{"while writing: ", inner}
	want := `while writing: version v1 of artifact "m" is already in stage "prod": use --force to assign it again`
	if got := cliMessage(err); got != want {
		t.Errorf("cliMessage = %q, want %q", got, want)
	}
	plain := errors.New("something else")
	if got := cliMessage(plain); got != "something else" {
		t.Errorf("cliMessage of a plain error = %q", got)
	}
}

type wrapped struct {
	prefix string
	err    error
}

func (w *wrapped) Error() string { return w.prefix + w.err.Error() }
func (w *wrapped) Unwrap() error { return w.err }
