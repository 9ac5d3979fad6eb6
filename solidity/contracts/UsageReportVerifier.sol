// SPDX-License-Identifier: MIT
pragma solidity 0.8.25;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ContractRegistry} from "@flarenetwork/flare-periphery-contracts/coston2/ContractRegistry.sol";
import {IFdcVerification} from "@flarenetwork/flare-periphery-contracts/coston2/IFdcVerification.sol";
import {IWeb2Json} from "@flarenetwork/flare-periphery-contracts/coston2/IWeb2Json.sol";
import {UsageLine, UsageReportLib, USAGE_SUMMARY_ENCODED_LENGTH, REPORT_DOMAIN} from "./UsageReport.sol";

/**
 * @title UsageReportVerifier
 * @notice Stores, per usage window (5 minutes live), the digest of FlareFlow's usage report once
 * Flare's Data Connector has attested the window's summary (Web2Json) at the registered
 * publisher's URL.
 * @dev Flare's FdcVerification checks only that the response is in a finalized Merkle root; it
 * checks none of the request fields, so anyone can get any URL attested. This contract checks
 * them all: attestation type, source id, the URL (built from the publisher's base URL and the
 * attested window), and every other request field against the owner-pinned request spec. A proof
 * stays valid forever, so replay protection (one report per window, windows in order) is here.
 * A window is accepted only once it has ended by the chain's clock (give or take
 * `MAX_CLOCK_SKEW`): a summary of a future window, verified first, would make every real window
 * before it `WindowOutOfOrder` for good.
 */
contract UsageReportVerifier is Ownable {
    /// @notice The exact Web2Json request (all but the URL) every report attestation must carry.
    struct RequestSpec {
        bytes32 sourceId;
        string httpMethod;
        string headers;
        string queryParams;
        string body;
        string postProcessJq;
        string abiSignature;
    }

    /// @notice What is stored for a verified window.
    struct VerifiedReport {
        bytes32 digest;
        uint64 votingRound;
        uint64 lineCount;
        uint64 totalTokens;
        bool verified;
    }

    /// @notice The request fields pinned by the spec, named in `RequestFieldMismatch`.
    enum RequestField {
        HttpMethod,
        Headers,
        QueryParams,
        Body,
        PostProcessJq,
        AbiSignature
    }

    /// @notice Flare's attestation type id of Web2Json: bytes32("Web2Json").
    bytes32 public constant WEB2JSON_ATTESTATION_TYPE = bytes32("Web2Json");

    /// @notice Number of pinned request fields (the members of `RequestField`).
    uint256 private constant REQUEST_FIELD_COUNT = 6;

    /// @notice Path between the base URL and the window id in a summary URL.
    string private constant REPORTS_PATH = "/reports/";

    /// @notice Path after the window id in a summary URL.
    string private constant SUMMARY_PATH = "/summary";

    /// @notice How far a window's end may lie beyond `block.timestamp` and still be accepted, in
    /// seconds. It absorbs the drift between the chain's clock (a block's timestamp is set by its
    /// producer and trails real time by up to a block interval) and the connector host's clock;
    /// it is a tenth of a live (300-s) window, so a summary can never come from a window much
    /// more than half a minute before its end.
    uint256 public constant MAX_CLOCK_SKEW = 30;

    /// @notice Shortest window length the owner may set, in seconds (FlareFDCTriggers' lower bound).
    uint64 public constant MIN_WINDOW_SECONDS = 1;

    /// @notice Longest window length the owner may set, in seconds (one day).
    uint64 public constant MAX_WINDOW_SECONDS = 86_400;

    bytes1 private constant URL_QUERY = "?";
    bytes1 private constant URL_FRAGMENT = "#";
    bytes1 private constant URL_SLASH = "/";

    /// @notice The publisher's base URL; the summary of window w is `<base>/reports/<w>/summary`.
    string public publisherBaseUrl;

    /// @notice The Web2Json source id every report attestation must carry.
    bytes32 public sourceId;

    /// @notice Seconds in one usage window: window w covers [w * windowSeconds, (w + 1) * windowSeconds).
    /// Must equal FlareFDCTriggers.WindowSeconds on Flow; fixed once a window is verified.
    uint64 public windowSeconds;

    /// @notice keccak256(abi.encode(fieldHashes)) of the pinned request fields.
    bytes32 public requestSpecHash;

    /// @dev keccak256 of each pinned request field, in `RequestField` order (diagnostics only).
    bytes32[REQUEST_FIELD_COUNT] private _fieldHashes;

    /// @dev Verified reports by window id.
    mapping(uint64 window => VerifiedReport report) private _reports;

    /// @dev The last verified window (meaningful once `_hasVerified`).
    uint64 private _lastWindow;

    /// @dev Whether any window was verified yet.
    bool private _hasVerified;

    /// @notice The publisher's base URL was set.
    event PublisherBaseUrlSet(string baseUrl);

    /// @notice The window length was set.
    event WindowSecondsSet(uint64 windowSeconds);

    /// @notice The pinned request was set.
    event RequestSpecSet(bytes32 indexed specHash, RequestSpec spec);

    /// @notice A window's report summary was verified through FDC and its digest stored.
    event UsageReportVerified(
        uint64 indexed window,
        uint64 indexed votingRound,
        bytes32 digest,
        uint64 lineCount,
        uint64 totalTokens
    );

    /// @notice The base URL is empty, ends with '/', or has a query string or fragment.
    error InvalidBaseUrl(string baseUrl);
    /// @notice The request spec leaves the source id, method, jq filter or ABI signature empty.
    error InvalidRequestSpec();
    /// @notice The proof's attestation type is not Web2Json.
    error WrongAttestationType(bytes32 attestationType);
    /// @notice The proof's source id is not the pinned one.
    error WrongSourceId(bytes32 sourceId);
    /// @notice A request field differs from the pinned request.
    error RequestFieldMismatch(RequestField field);
    /// @notice The attested URL is not the publisher's summary URL of the attested window.
    error WrongUrl(string expected, string actual);
    /// @notice The window length is outside [MIN_WINDOW_SECONDS, MAX_WINDOW_SECONDS].
    error InvalidWindowSeconds(uint64 windowSeconds);
    /// @notice The window length cannot change once a window is verified (window ids would then
    /// name other times).
    error WindowSecondsLocked(uint64 lastWindow);
    /// @notice The attested window ends after the chain's clock plus MAX_CLOCK_SKEW.
    error WindowNotEnded(uint256 windowEnd, uint256 blockTimestamp);
    /// @notice The attested data is not an ABI-encoded UsageSummary.
    error MalformedSummary();
    /// @notice The window was verified already (a proof stays valid forever: no replay).
    error WindowAlreadyVerified(uint64 window);
    /// @notice The window is older than the last verified one (windows are verified in order).
    error WindowOutOfOrder(uint64 window, uint64 lastWindow);
    /// @notice Flare's contract registry has no FdcVerification.
    error FdcVerificationUnavailable();
    /// @notice The proof's voting round has no Merkle root on the Relay (not finalized).
    error RoundNotFinalized(uint64 votingRound);
    /// @notice The Merkle proof does not lead to the voting round's root.
    error InvalidMerkleProof(uint64 votingRound);

    /**
     * @notice Deploys the verifier with its owner, publisher and pinned request.
     * @param initialOwner The owner, who alone changes the configuration.
     * @param baseUrl The publisher's base URL (no trailing '/', no query string, no fragment).
     * @param spec The request every report attestation must carry.
     * @param initialWindowSeconds The window length in seconds, within [MIN_WINDOW_SECONDS, MAX_WINDOW_SECONDS].
     */
    constructor(
        address initialOwner,
        string memory baseUrl,
        RequestSpec memory spec,
        uint64 initialWindowSeconds
    ) Ownable(initialOwner) {
        _setPublisherBaseUrl(baseUrl);
        _setRequestSpec(spec);
        _setWindowSeconds(initialWindowSeconds);
    }

    // ------------------------------------------------------------------ configuration

    /**
     * @notice Sets the publisher's base URL. Only the owner.
     * @param baseUrl The new base URL (no trailing '/', no query string, no fragment).
     */
    function setPublisherBaseUrl(string calldata baseUrl) external onlyOwner {
        _setPublisherBaseUrl(baseUrl);
    }

    /**
     * @notice Sets the request every report attestation must carry. Only the owner.
     * @param spec The source id and every request field but the URL.
     */
    function setRequestSpec(RequestSpec calldata spec) external onlyOwner {
        _setRequestSpec(spec);
    }

    /**
     * @notice Sets the window length. Only the owner, and only before the first window is
     * verified: window ids count windows of this length, so afterwards they would name other times.
     * @param newWindowSeconds The window length in seconds, within [MIN_WINDOW_SECONDS, MAX_WINDOW_SECONDS].
     */
    function setWindowSeconds(uint64 newWindowSeconds) external onlyOwner {
        if (_hasVerified) revert WindowSecondsLocked(_lastWindow);
        _setWindowSeconds(newWindowSeconds);
    }

    // ------------------------------------------------------------------ submission

    /**
     * @notice Verifies a Web2Json proof of one window's summary and stores the window's digest.
     * @dev Anyone may relay a proof: the proof and the pinned request are the authority.
     * Reverts with a custom error on any refusal; nothing changes then.
     * @param proof The proof from Flare's Data Availability layer.
     */
    function submit(IWeb2Json.Proof calldata proof) external {
        IWeb2Json.Response calldata response = proof.data;

        // Checks: request fields (Flare checks none of them).
        if (response.attestationType != WEB2JSON_ATTESTATION_TYPE) {
            revert WrongAttestationType(response.attestationType);
        }
        if (response.sourceId != sourceId) revert WrongSourceId(response.sourceId);
        _checkRequestFields(response.requestBody);

        // Checks: the attested summary.
        (uint64 window, bytes32 digest, uint64 lineCount, uint64 totalTokens) =
            _decodeSummary(response.responseBody.abiEncodedData);

        string memory expected = expectedUrl(window);
        if (keccak256(bytes(response.requestBody.url)) != keccak256(bytes(expected))) {
            revert WrongUrl(expected, response.requestBody.url);
        }

        // Checks: replay and order.
        if (_reports[window].verified) revert WindowAlreadyVerified(window);
        if (_hasVerified && window <= _lastWindow) revert WindowOutOfOrder(window, _lastWindow);

        // Checks: the window has ended by the chain's clock (uint256: no overflow for any uint64 window).
        uint256 windowEnd = (uint256(window) + 1) * windowSeconds;
        // slither-disable-next-line timestamp
        if (windowEnd > block.timestamp + MAX_CLOCK_SKEW) revert WindowNotEnded(windowEnd, block.timestamp);

        // Checks: the proof, through Flare's registry (a view call).
        _verifyProof(proof);

        // Effects.
        uint64 votingRound = response.votingRound;
        _reports[window] = VerifiedReport({
            digest: digest,
            votingRound: votingRound,
            lineCount: lineCount,
            totalTokens: totalTokens,
            verified: true
        });
        _lastWindow = window;
        _hasVerified = true;

        emit UsageReportVerified(window, votingRound, digest, lineCount, totalTokens);
    }

    // ------------------------------------------------------------------ views

    /**
     * @notice The stored report of a window (all zero and `verified == false` if none).
     * @param window The window id.
     * @return The verified report.
     */
    function reportOf(uint64 window) external view returns (VerifiedReport memory) {
        return _reports[window];
    }

    /**
     * @notice The digest of a verified window (bytes32(0) if not verified).
     * @param window The window id.
     * @return The report digest.
     */
    function digestOf(uint64 window) external view returns (bytes32) {
        return _reports[window].digest;
    }

    /**
     * @notice The FDC voting round whose proof verified the window (0 if not verified).
     * @param window The window id.
     * @return The voting round id.
     */
    function votingRoundOf(uint64 window) external view returns (uint64) {
        return _reports[window].votingRound;
    }

    /**
     * @notice Whether a window was verified.
     * @param window The window id.
     * @return True once the window's summary was verified.
     */
    function isVerified(uint64 window) external view returns (bool) {
        return _reports[window].verified;
    }

    /**
     * @notice The last verified window.
     * @return hasVerified Whether any window was verified.
     * @return window The last verified window id (0 if none).
     */
    function lastWindow() external view returns (bool hasVerified, uint64 window) {
        return (_hasVerified, _lastWindow);
    }

    /**
     * @notice Whether the given lines hash to the verified digest of the window (for auditors and
     * the Flow oracles).
     * @param window The window id.
     * @param lines The report lines, in report order.
     * @return True if the window is verified and the lines' digest equals its stored digest.
     */
    function checkLines(uint64 window, UsageLine[] calldata lines) external view returns (bool) {
        VerifiedReport storage report = _reports[window];
        return report.verified && UsageReportLib.digest(window, lines) == report.digest;
    }

    /**
     * @notice The digest of a window's lines (the encoding both chains use).
     * @param window The window id.
     * @param lines The report lines, in report order.
     * @return keccak256(abi.encode(REPORT_DOMAIN, window, lines)).
     */
    function reportDigest(uint64 window, UsageLine[] calldata lines) external pure returns (bytes32) {
        return UsageReportLib.digest(window, lines);
    }

    /**
     * @notice The report domain separator, keccak256("FlareFlow.UsageReport.v1").
     * @return The domain.
     */
    function reportDomain() external pure returns (bytes32) {
        return REPORT_DOMAIN;
    }

    /**
     * @notice The URL the attestation of a window's summary must carry.
     * @param window The window id.
     * @return `<publisherBaseUrl>/reports/<window>/summary`.
     */
    function expectedUrl(uint64 window) public view returns (string memory) {
        return string.concat(publisherBaseUrl, REPORTS_PATH, UsageReportLib.toDecimal(window), SUMMARY_PATH);
    }

    // ------------------------------------------------------------------ internals

    function _setPublisherBaseUrl(string memory baseUrl) private {
        bytes memory raw = bytes(baseUrl);
        if (raw.length == 0 || raw[raw.length - 1] == URL_SLASH) revert InvalidBaseUrl(baseUrl);
        for (uint256 i = 0; i < raw.length; ++i) {
            if (raw[i] == URL_QUERY || raw[i] == URL_FRAGMENT) revert InvalidBaseUrl(baseUrl);
        }
        publisherBaseUrl = baseUrl;
        emit PublisherBaseUrlSet(baseUrl);
    }

    function _setWindowSeconds(uint64 newWindowSeconds) private {
        if (newWindowSeconds < MIN_WINDOW_SECONDS || newWindowSeconds > MAX_WINDOW_SECONDS) {
            revert InvalidWindowSeconds(newWindowSeconds);
        }
        windowSeconds = newWindowSeconds;
        emit WindowSecondsSet(newWindowSeconds);
    }

    function _setRequestSpec(RequestSpec memory spec) private {
        if (
            spec.sourceId == bytes32(0) ||
            bytes(spec.httpMethod).length == 0 ||
            bytes(spec.postProcessJq).length == 0 ||
            bytes(spec.abiSignature).length == 0
        ) revert InvalidRequestSpec();
        bytes32[REQUEST_FIELD_COUNT] memory hashes = [
            keccak256(bytes(spec.httpMethod)),
            keccak256(bytes(spec.headers)),
            keccak256(bytes(spec.queryParams)),
            keccak256(bytes(spec.body)),
            keccak256(bytes(spec.postProcessJq)),
            keccak256(bytes(spec.abiSignature))
        ];
        bytes32 specHash = keccak256(abi.encode(hashes));
        sourceId = spec.sourceId;
        _fieldHashes = hashes;
        requestSpecHash = specHash;
        emit RequestSpecSet(specHash, spec);
    }

    function _checkRequestFields(IWeb2Json.RequestBody calldata body) private view {
        bytes32[REQUEST_FIELD_COUNT] memory hashes = [
            keccak256(bytes(body.httpMethod)),
            keccak256(bytes(body.headers)),
            keccak256(bytes(body.queryParams)),
            keccak256(bytes(body.body)),
            keccak256(bytes(body.postProcessJq)),
            keccak256(bytes(body.abiSignature))
        ];
        if (keccak256(abi.encode(hashes)) == requestSpecHash) return;
        // Refusal path only: name the first field that differs.
        for (uint256 i = 0; i < REQUEST_FIELD_COUNT; ++i) {
            if (hashes[i] != _fieldHashes[i]) revert RequestFieldMismatch(RequestField(i));
        }
        // Unreachable unless keccak256 collides; refuse anyway.
        revert RequestFieldMismatch(RequestField.HttpMethod);
    }

    function _decodeSummary(bytes calldata data)
        private
        pure
        returns (uint64 window, bytes32 digest, uint64 lineCount, uint64 totalTokens)
    {
        if (data.length != USAGE_SUMMARY_ENCODED_LENGTH) revert MalformedSummary();
        (uint256 rawWindow, bytes32 rawDigest, uint256 rawLineCount, uint256 rawTotalTokens) =
            abi.decode(data, (uint256, bytes32, uint256, uint256));
        if (
            rawWindow > type(uint64).max ||
            rawLineCount > type(uint64).max ||
            rawTotalTokens > type(uint64).max ||
            rawDigest == bytes32(0)
        ) revert MalformedSummary();
        return (uint64(rawWindow), rawDigest, uint64(rawLineCount), uint64(rawTotalTokens));
    }

    function _verifyProof(IWeb2Json.Proof calldata proof) private view {
        IFdcVerification fdcVerification = ContractRegistry.getFdcVerification();
        if (address(fdcVerification) == address(0)) revert FdcVerificationUnavailable();
        if (fdcVerification.verifyWeb2Json(proof)) return;
        // Refusal path only: tell an unfinalized round from a bad proof.
        uint64 votingRound = proof.data.votingRound;
        bytes32 root = fdcVerification.relay().merkleRoots(fdcVerification.fdcProtocolId(), votingRound);
        if (root == bytes32(0)) revert RoundNotFinalized(votingRound);
        revert InvalidMerkleProof(votingRound);
    }
}
