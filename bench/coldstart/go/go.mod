module ductape.dev/bench/coldstart

go 1.19

require ductape.dev/ductape v0.0.0

replace ductape.dev/ductape => ../../../bindings/go
