"""A bleak backend on a bumble central: ``BleakScanner(..., backend=world.scanner)`` and
``BleakClient(..., backend=world.client)`` then scan, connect, write and receive indications
through a real ATT/GATT stack on bumble's in-process virtual link.

Traps of the virtual link (see docs/drivers.md): connect only to addresses seen in a scan (the
emulated controller ignores a cancelled connect), one connect at a time, and enforce the
20-byte write limit ourselves.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.backends.client import BaseBleakClient, NotifyCallback
from bleak.backends.descriptor import BleakGATTDescriptor
from bleak.backends.device import BLEDevice
from bleak.backends.scanner import AdvertisementData, BaseBleakScanner
from bleak.backends.service import BleakGATTService, BleakGATTServiceCollection
from bleak.exc import BleakError
from bleak.uuids import normalize_uuid_str

if TYPE_CHECKING:
    from kit.drivers.sim.robots import RobotWorld

_PROPS = (("read", 0x02), ("write-without-response", 0x04), ("write", 0x08),
          ("notify", 0x10), ("indicate", 0x20))


def _uuid(u: Any) -> str:
    return normalize_uuid_str(u.to_hex_str("-").lower())


class BumbleScanner(BaseBleakScanner):
    world: ClassVar[RobotWorld]

    def __init__(self, detection_callback: Any, service_uuids: list[str] | None,
                 scanning_mode: str = "active", **kwargs: Any) -> None:
        super().__init__(detection_callback, service_uuids)
        self._scanning = False

    async def start(self) -> None:
        from bumble.device import Device

        self.seen_devices = {}
        if self.world.scan_failures:
            self.world.scan_failures -= 1
            raise BleakError(self.world.scan_failure_reason)
        self.world.central.on(Device.EVENT_ADVERTISEMENT, self._on_adv)
        await self.world.scan_begin()
        self._scanning = True

    async def stop(self) -> None:
        if not self._scanning:
            return
        self._scanning = False
        self.world.central.remove_listener("advertisement", self._on_adv)
        await self.world.scan_end()

    def _on_adv(self, adv: Any) -> None:
        from bumble.core import AdvertisingData

        raw = (adv.data.get(AdvertisingData.COMPLETE_LOCAL_NAME)
               or adv.data.get(AdvertisingData.SHORTENED_LOCAL_NAME))
        name = raw.decode(errors="replace") if isinstance(raw, bytes) else raw
        uuids = [_uuid(u) for u in adv.data.get(
            AdvertisingData.COMPLETE_LIST_OF_128_BIT_SERVICE_CLASS_UUIDS) or []]
        if not self.is_allowed_uuid(uuids):
            return
        data = AdvertisementData(local_name=name, manufacturer_data={}, service_data={},
                                 service_uuids=uuids, tx_power=None, rssi=adv.rssi,
                                 platform_data=(adv,))
        key = str(adv.address)
        device = self.create_or_update_device(key, key, name, adv.address, data)
        self.call_detection_callbacks(device, data)


class BumbleClient(BaseBleakClient):
    world: ClassVar[RobotWorld]

    def __init__(self, address_or_ble_device: BLEDevice | str, *,
                 disconnected_callback: Callable[[], None] | None = None,
                 timeout: float = 10.0, **kwargs: Any) -> None:
        super().__init__(address_or_ble_device, disconnected_callback=disconnected_callback,
                         timeout=timeout)
        self._target = (address_or_ble_device.details
                        if isinstance(address_or_ble_device, BLEDevice) else None)
        self._conn: Any = None
        self._peer: Any = None
        self._closing = False
        self.disconnect_reason: int | None = None

    @property
    def name(self) -> str:
        return self.address

    @property
    def mtu_size(self) -> int:
        return 23

    def is_connected(self) -> bool:  # type: ignore[override]
        return self._conn is not None

    async def connect(self, pair: bool, **kwargs: Any) -> None:
        from bumble.device import Peer

        if self._target is None:
            raise BleakError(f"{self.address}: scan for the robot first, then connect")
        async with self.world.connect_lock:
            conn = await asyncio.wait_for(self.world.central.connect(self._target),
                                          self._timeout)
        self._closing = False
        self.disconnect_reason = None
        conn.on("disconnection", self._on_disconnection)
        self._conn = conn
        self._peer = Peer(conn)
        await self._peer.discover_all()
        self.services = self._collection()

    def _collection(self) -> BleakGATTServiceCollection:
        col = BleakGATTServiceCollection()
        for s in self._peer.services:
            service = BleakGATTService(s, s.handle, _uuid(s.uuid))
            col.add_service(service)
            for c in s.characteristics:
                props = [n for n, bit in _PROPS if int(c.properties) & bit]
                char = BleakGATTCharacteristic(c, c.handle, _uuid(c.uuid), props,  # type: ignore[arg-type]
                                               lambda: self.mtu_size - 3, service)
                col.add_characteristic(char)
                for d in getattr(c, "descriptors", []):
                    col.add_descriptor(BleakGATTDescriptor(d, d.handle, _uuid(d.type), char))
        return col

    def _on_disconnection(self, reason: int) -> None:
        self.disconnect_reason = reason
        self._conn = self._peer = None
        self.services = None
        if not self._closing and self._disconnected_callback is not None:
            self._disconnected_callback()

    async def disconnect(self) -> None:
        conn = self._conn
        if conn is None:
            return
        self._closing = True
        with contextlib.suppress(Exception):
            await asyncio.wait_for(conn.disconnect(), self._timeout)
        self._conn = self._peer = None

    async def pair(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError("the simulated robots need no pairing")

    async def unpair(self) -> None:
        raise NotImplementedError("the simulated robots need no pairing")

    def _need(self) -> Any:
        if self._peer is None:
            raise BleakError("Not connected")
        return self._peer

    async def read_gatt_char(self, characteristic: BleakGATTCharacteristic,
                             **kwargs: Any) -> bytearray:
        return bytearray(await self._need().read_value(characteristic.obj))

    async def read_gatt_descriptor(self, descriptor: BleakGATTDescriptor,
                                   **kwargs: Any) -> bytearray:
        return bytearray(await self._need().read_value(descriptor.obj))

    async def write_gatt_char(self, characteristic: BleakGATTCharacteristic, data: Any,
                              response: bool) -> None:
        await self._need().write_value(characteristic.obj, bytes(data), with_response=response)

    async def write_gatt_descriptor(self, descriptor: BleakGATTDescriptor, data: Any) -> None:
        await self._need().write_value(descriptor.obj, bytes(data), with_response=True)

    async def start_notify(self, characteristic: BleakGATTCharacteristic,
                           callback: NotifyCallback, **kwargs: Any) -> None:
        await self._need().subscribe(characteristic.obj, lambda v: callback(bytearray(v)),
                                     prefer_notify=True)

    async def stop_notify(self, characteristic: BleakGATTCharacteristic) -> None:
        await self._need().unsubscribe(characteristic.obj)
