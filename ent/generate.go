package ent

//go:generate go run -C .. -mod=mod ./ent/entc.go
