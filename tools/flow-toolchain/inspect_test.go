package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func inspectJSON(t *testing.T, code string) string {
	t.Helper()
	info, err := inspectCode("x.cdc", []byte(code))
	if err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(info)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func TestInspectTransaction(t *testing.T) {
	got := inspectJSON(t, `
import "Counter"
import FungibleToken from 0xf233dcee88fe0abe

/// Pays amounts.
transaction(amounts: [UFix64], to: Address?) {
    prepare(signer: &Account) {}
}
`)
	want := `{"path":"x.cdc","kind":"transaction","doc":" Pays amounts.","imports":["Counter","FungibleToken"],` +
		`"params":[{"name":"amounts","type":{"kind":"array","of":{"kind":"nominal","name":"UFix64","text":"UFix64"},"text":"[UFix64]"}},` +
		`{"name":"to","type":{"kind":"optional","of":{"kind":"nominal","name":"Address","text":"Address"},"text":"Address?"}}]}`
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

func TestInspectScript(t *testing.T) {
	got := inspectJSON(t, `
access(all) struct Row {
    access(all) let id: UInt64
    init(id: UInt64) { self.id = id }
}

access(all) fun main(ids: {String: [UInt8; 2]}): [Row] {
    return []
}
`)
	want := `{"path":"x.cdc","kind":"script","imports":[],` +
		`"params":[{"name":"ids","type":{"kind":"dictionary","key":{"kind":"nominal","name":"String","text":"String"},` +
		`"value":{"kind":"array","of":{"kind":"nominal","name":"UInt8","text":"UInt8"},"size":2,"text":"[UInt8; 2]"},"text":"{String: [UInt8; 2]}"}}],` +
		`"returns":{"kind":"array","of":{"kind":"nominal","name":"Row","text":"Row"},"text":"[Row]"},` +
		`"composites":[{"name":"Row","kind":"struct","fields":[{"name":"id","type":{"kind":"nominal","name":"UInt64","text":"UInt64"}}]}]}`
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

func TestInspectContract(t *testing.T) {
	got := inspectJSON(t, `
access(all) contract Shop {
    access(all) enum Status: UInt8 {
        access(all) case open
        access(all) case closed
    }
    access(all) event Sold(id: UInt64, by: Address)
    access(all) resource Receipt {
        /// What was paid.
        access(all) let paid: UFix64
        init() { self.paid = 0.0 }
    }
}
`)
	want := `{"path":"x.cdc","kind":"contract","imports":[],"params":[],"composites":[` +
		`{"name":"Shop.Status","kind":"enum","cases":["open","closed"]},` +
		`{"name":"Shop.Sold","kind":"event","fields":[{"name":"id","type":{"kind":"nominal","name":"UInt64","text":"UInt64"}},{"name":"by","type":{"kind":"nominal","name":"Address","text":"Address"}}]},` +
		`{"name":"Shop.Receipt","kind":"resource","fields":[{"name":"paid","type":{"kind":"nominal","name":"UFix64","text":"UFix64"},"doc":" What was paid."}]}]}`
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

func TestInspectRefusesWhatItCannotDescribe(t *testing.T) {
	for code, want := range map[string]string{
		"access(all) fun helper(): Int { return 1 }": "neither a transaction",
		"transaction( {": "x.cdc",
	} {
		if _, err := inspectCode("x.cdc", []byte(code)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: err %v, want one containing %q", code, err, want)
		}
	}
}
