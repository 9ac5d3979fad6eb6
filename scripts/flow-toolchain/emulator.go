package main

import (
	"github.com/onflow/flow-emulator/cmd/emulator/start"
	emulator "github.com/onflow/flow-emulator/emulator"
	"github.com/onflow/flow-go-sdk/crypto"
	"github.com/spf13/cobra"
)

// emulatorCmd wraps the flow-emulator's own start command: same flags, same
// FLOW_* environment variables. The service key comes from --service-priv-key
// (flow.json's emulator-account) so every tool agrees on it.
func emulatorCmd() *cobra.Command {
	cmd := start.Cmd(start.StartConfig{
		GetServiceKey: func(
			init bool,
			sigAlgo crypto.SignatureAlgorithm,
			hashAlgo crypto.HashAlgorithm,
		) (crypto.PrivateKey, crypto.SignatureAlgorithm, crypto.HashAlgorithm) {
			if sigAlgo == crypto.UnknownSignatureAlgorithm {
				sigAlgo = emulator.DefaultServiceKeySigAlgo
			}
			if hashAlgo == crypto.UnknownHashAlgorithm {
				hashAlgo = emulator.DefaultServiceKeyHashAlgo
			}
			key := emulator.GenerateDefaultServiceKey(sigAlgo, hashAlgo)
			return key.PrivateKey, key.SigAlgo, key.HashAlgo
		},
		RestMiddlewares: []start.HttpMiddleware{},
	})
	cmd.Use = "emulator"
	return cmd
}
