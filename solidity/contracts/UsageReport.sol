// SPDX-License-Identifier: MIT
pragma solidity 0.8.25;

/**
 * @title UsageReport
 * @notice The FlareFlow usage-report format, shared by Coston2 and Flow (Cadence reimplements
 * the same bytes, and `src/report` in TypeScript does too).
 *
 * - A line is (subscriptionId, family, tokens, requests, requestsRoot); `family` is the
 *   model-family name, left-aligned ASCII in a bytes32 (bytes32(0) = unmapped / default family);
 *   `requestsRoot` is the Merkle root of the line's requests (OpenZeppelin SimpleMerkleTree over
 *   leaves keccak256(abi.encode(keccak256("FlareFlow.RequestLeaf.v1"), keccak256(bytes(requestId)), uint64 tokens)),
 *   bytes32(0) for none; src/report/requests.ts).
 * - Lines are sorted by subscriptionId ascending, then family ascending (as bytes32), no
 *   duplicate (subscriptionId, family) pair.
 * - window id = window start in unix seconds / the window length (300 s live; the verifier's
 *   `windowSeconds`, FlareFDCTriggers' `WindowSeconds` on Flow).
 * - digest = keccak256(abi.encode(REPORT_DOMAIN, uint64 window, UsageLine[] lines)).
 * - The Web2Json attestation carries only the flat summary (window, digest, lineCount,
 *   totalTokens): FDC's Web2Json refuses arrays and nested tuples.
 */

/// @notice One subscription's usage of one model family within one window.
struct UsageLine {
    uint64 subscriptionId;
    bytes32 family;
    uint64 tokens;
    uint64 requests;
    bytes32 requestsRoot;
}

/// @notice The flat tuple the Web2Json attestation carries (its ABI signature).
struct UsageSummary {
    uint64 window;
    bytes32 digest;
    uint64 lineCount;
    uint64 totalTokens;
}

// Domain separator of the report digest: keccak256("FlareFlow.UsageReport.v2") (v2: lines carry requestsRoot).
bytes32 constant REPORT_DOMAIN = keccak256("FlareFlow.UsageReport.v2");

// Byte length of an ABI-encoded UsageSummary (four static 32-byte words).
uint256 constant USAGE_SUMMARY_ENCODED_LENGTH = 128;

/**
 * @title UsageReportLib
 * @notice Digest of a report's lines; the one encoding both chains agree on.
 */
library UsageReportLib {
    uint64 private constant DECIMAL_BASE = 10;
    uint64 private constant ASCII_ZERO = 0x30;

    /**
     * @notice The digest of one window's lines.
     * @param window The window id (window start / window length).
     * @param lines The report lines, in report order.
     * @return The keccak256 of abi.encode(REPORT_DOMAIN, window, lines).
     */
    function digest(uint64 window, UsageLine[] calldata lines) internal pure returns (bytes32) {
        return keccak256(abi.encode(REPORT_DOMAIN, window, lines));
    }

    /**
     * @notice The decimal text of a window id, as it appears in the summary URL.
     * @dev Written here because OpenZeppelin 5.7's Strings pulls in MCOPY (Cancun), which Flare's
     * London EVM does not run.
     * @param value The number.
     * @return The decimal digits, no sign, no leading zeros ("0" for zero).
     */
    function toDecimal(uint64 value) internal pure returns (string memory) {
        if (value == 0) return "0";
        uint256 digits = 0;
        for (uint64 rest = value; rest != 0; rest /= DECIMAL_BASE) ++digits;
        bytes memory text = new bytes(digits);
        for (uint64 rest = value; rest != 0; rest /= DECIMAL_BASE) {
            --digits;
            text[digits] = bytes1(uint8(ASCII_ZERO + (rest % DECIMAL_BASE)));
        }
        return string(text);
    }
}
