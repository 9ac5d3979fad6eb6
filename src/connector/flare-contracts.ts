import type { Provider, Signer } from "ethers";
import { FLARE_CONTRACT_REGISTRY_ADDRESS } from "../fdc/harness";
import {
  IFdcHub__factory,
  IFdcRequestFeeConfigurations__factory,
  IFlareContractRegistry__factory,
  IRelay__factory,
  UsageReportVerifier__factory,
  type IFdcHub,
  type IFdcRequestFeeConfigurations,
  type IRelay,
  type UsageReportVerifier,
} from "../evm/typechain";
import { ConnectorError, messageOf } from "./errors";

/**
 * Flare's contracts, found the way Flare's own code finds them: through the contract registry at
 * its fixed address (the harness puts a stand-in registry at the same address locally).
 */
export type FlareContracts = {
  fdcHub: IFdcHub;
  fees: IFdcRequestFeeConfigurations;
  relay: IRelay;
  verifier: UsageReportVerifier;
};

export async function flareContracts(runner: Signer | Provider, verifierAddress: string, rpcUrl: string): Promise<FlareContracts> {
  const registry = IFlareContractRegistry__factory.connect(FLARE_CONTRACT_REGISTRY_ADDRESS, runner);
  let names: { fdcHub: string; fees: string; relay: string };
  try {
    names = {
      fdcHub: await registry.getContractAddressByName("FdcHub"),
      fees: await registry.getContractAddressByName("FdcRequestFeeConfigurations"),
      relay: await registry.getContractAddressByName("Relay"),
    };
  } catch (error) {
    throw new ConnectorError("unreachable", `EVM RPC ${rpcUrl}: cannot read Flare's contract registry (${messageOf(error)}); is the node up and is this a Flare chain or the local harness?`, { cause: error });
  }
  for (const [name, address] of Object.entries(names)) {
    if (/^0x0{40}$/i.test(address)) throw new ConnectorError("config", `Flare's registry on ${rpcUrl} has no ${name}: is the FDC harness deployed?`);
  }
  const provider = "provider" in runner && runner.provider ? runner.provider : (runner as Provider);
  if ((await provider.getCode(verifierAddress)) === "0x") {
    throw new ConnectorError("config", `no contract at UsageReportVerifier address ${verifierAddress} on ${rpcUrl}: run deploy:evm`);
  }
  return {
    fdcHub: IFdcHub__factory.connect(names.fdcHub, runner),
    fees: IFdcRequestFeeConfigurations__factory.connect(names.fees, runner),
    relay: IRelay__factory.connect(names.relay, runner),
    verifier: UsageReportVerifier__factory.connect(verifierAddress, runner),
  };
}
