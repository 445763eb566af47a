package facadegen

import (
	"os"
	"path/filepath"
)

// Paths, relative to bindings/go, of the description read and the files written.
const (
	DescriptionPath = "../../docs/operations.json"
	GoPath          = "ops_gen.go"
	CSharpPath      = "../dotnet/src/Ductape/Operations.g.cs"
)

// Outputs answers each generated file's path (under goDir, bindings/go) and content.
func Outputs(goDir string) (map[string][]byte, error) {
	text, err := os.ReadFile(filepath.Join(goDir, DescriptionPath))
	if err != nil {
		return nil, err
	}
	goSrc, err := Go(text)
	if err != nil {
		return nil, err
	}
	csSrc, err := CSharp(text)
	if err != nil {
		return nil, err
	}
	return map[string][]byte{filepath.Join(goDir, GoPath): goSrc, filepath.Join(goDir, CSharpPath): csSrc}, nil
}

// WriteAll regenerates every file.
func WriteAll(goDir string) error {
	outputs, err := Outputs(goDir)
	if err != nil {
		return err
	}
	for path, content := range outputs {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, content, 0o644); err != nil {
			return err
		}
	}
	return nil
}
