// SPDX-License-Identifier: MIT
pragma solidity 0.8.25;

import {IFlareContractRegistry} from "@flarenetwork/flare-periphery-contracts/coston2/IFlareContractRegistry.sol";

/**
 * @title FlareContractRegistryStandIn
 * @notice Local-only stand-in for Flare's contract registry. The harness lays its runtime code at
 * Flare's real registry address (ContractRegistry.FLARE_CONTRACT_REGISTRY_ADDRESS) with
 * `hardhat_setCode` and writes `owner` (storage slot 0) with `hardhat_setStorageAt`, so contracts
 * using the periphery's `ContractRegistry` library run unchanged. Never deployed live.
 * @dev Names resolve by keccak256(abi.encode(name)), as the periphery library looks them up.
 * Keep `owner` the first state variable: the harness writes slot 0 directly.
 */
contract FlareContractRegistryStandIn is IFlareContractRegistry {
    /// @notice Who may register contracts (slot 0, written by the harness).
    /// @dev Not immutable on purpose: the harness copies runtime code, so the owner must be storage.
    // slither-disable-next-line immutable-states
    address public owner;

    /// @dev Address by keccak256(abi.encode(name)).
    mapping(bytes32 nameHash => address addr) private _byHash;

    /// @dev Registered names, in registration order.
    string[] private _names;

    /// @dev Whether a name hash is in `_names`.
    mapping(bytes32 nameHash => bool known) private _known;

    /// @notice A contract name was (re)bound to an address.
    event ContractAddressSet(string name, address indexed addr);

    /// @notice The caller is not the owner.
    error NotOwner(address caller);
    /// @notice The owner cannot be the zero address.
    error ZeroOwner();

    /**
     * @notice Deploys the stand-in (a template: the harness copies its code to the real address).
     * @param initialOwner Who may register contracts.
     */
    constructor(address initialOwner) {
        if (initialOwner == address(0)) revert ZeroOwner();
        owner = initialOwner;
    }

    /**
     * @notice Binds a contract name to an address. Only the owner.
     * @param name The contract name, e.g. "FdcVerification".
     * @param addr The contract address.
     */
    function setContractAddress(string calldata name, address addr) external {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        bytes32 nameHash = keccak256(abi.encode(name));
        if (!_known[nameHash]) {
            _known[nameHash] = true;
            _names.push(name);
        }
        _byHash[nameHash] = addr;
        emit ContractAddressSet(name, addr);
    }

    /// @inheritdoc IFlareContractRegistry
    function getContractAddressByName(string calldata _name) external view returns (address) {
        return _byHash[keccak256(abi.encode(_name))];
    }

    /// @inheritdoc IFlareContractRegistry
    function getContractAddressByHash(bytes32 _nameHash) external view returns (address) {
        return _byHash[_nameHash];
    }

    /// @inheritdoc IFlareContractRegistry
    function getContractAddressesByName(string[] calldata _names_) external view returns (address[] memory addrs) {
        addrs = new address[](_names_.length);
        for (uint256 i = 0; i < _names_.length; ++i) {
            addrs[i] = _byHash[keccak256(abi.encode(_names_[i]))];
        }
    }

    /// @inheritdoc IFlareContractRegistry
    function getContractAddressesByHash(bytes32[] calldata _nameHashes) external view returns (address[] memory addrs) {
        addrs = new address[](_nameHashes.length);
        for (uint256 i = 0; i < _nameHashes.length; ++i) {
            addrs[i] = _byHash[_nameHashes[i]];
        }
    }

    /// @inheritdoc IFlareContractRegistry
    function getAllContracts() external view returns (string[] memory names, address[] memory addrs) {
        names = _names;
        addrs = new address[](names.length);
        for (uint256 i = 0; i < names.length; ++i) {
            addrs[i] = _byHash[keccak256(abi.encode(names[i]))];
        }
    }
}
