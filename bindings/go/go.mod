module ductape.dev/ductape

go 1.19
