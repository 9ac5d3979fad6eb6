// SPDX-License-Identifier: MIT
pragma solidity 0.8.25;

import {UsageLine, UsageSummary} from "./UsageReport.sol";

/**
 * @title IUsageReportAbi
 * @notice Never deployed and never called. A struct has an ABI only where a function takes it, so
 * each function here takes one of the report's structs: the compiler then writes that struct's ABI
 * (field names, types, internalType) into this interface's artifact, which TypeScript reads
 * (src/report/summary.ts, src/report/digest.ts) instead of keeping a hand copy. Flare's own
 * starter gets the Web2Json `abiSignature` the same way (an empty function taking the struct).
 * @dev A file of its own: UsageReportVerifier does not import it, so adding or changing it leaves
 * the verifier's bytecode (its metadata hash covers every source it imports) and hence its
 * deployment records unchanged.
 */
interface IUsageReportAbi {
    /**
     * @notice Carries the UsageSummary ABI. The parameter is named `summary`: the name is part of
     * the Web2Json `abiSignature` that UsageReportVerifier's request spec pins byte for byte.
     * @param summary The summary a Web2Json attestation carries.
     */
    function usageSummary(UsageSummary calldata summary) external pure;

    /**
     * @notice Carries the UsageLine ABI (one element of the digest preimage's line array).
     * @param line One report line.
     */
    function usageLine(UsageLine calldata line) external pure;
}
