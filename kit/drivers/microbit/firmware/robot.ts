// kit robot: MakeCode program for a micro:bit robot driven over Bluetooth UART.
// Paste into makecode.microbit.org (JavaScript view), add the "bluetooth" extension and your
// robot's extension (this file uses Elecfreaks Cutebot: cuteBot.motors / cuteBot.stopcar;
// for DFRobot Maqueen change setMotors below). Project Settings: "No Pairing Required".
// Protocol: PROTOCOL.md (robot section). Safety: the robot boots stopped, stops when the
// link drops, and stops by itself when no command has arrived for WATCHDOG_MS.

const WATCHDOG_MS = 400
let lastCommand = 0
let moving = false
let driveUntil = 0
let lowBattery = false

function setMotors(left: number, right: number) {
    left = Math.constrain(left, -100, 100)
    right = Math.constrain(right, -100, 100)
    cuteBot.motors(left, right)
    // Maqueen: maqueen.motorRun(maqueen.Motors.M1, left >= 0 ? maqueen.Dir.CW : maqueen.Dir.CCW,
    //          Math.abs(left) * 255 / 100) and the same for M2 with right.
    moving = left != 0 || right != 0
}

function halt() {
    cuteBot.stopcar()
    moving = false
    driveUntil = 0
}

function drive(speed: number, turn: number, ms: number) {
    if (lowBattery) speed = Math.constrain(speed, -50, 50)
    // turn > 0 curves right: the left wheel goes faster
    setMotors(speed + turn, speed - turn)
    driveUntil = ms > 0 ? control.millis() + ms : 0
}

function obey(line: string) {
    const parts = line.split(",")
    lastCommand = control.millis()
    if (parts[0] == "D" && parts.length == 4) {
        drive(parseInt(parts[1]), parseInt(parts[2]), parseInt(parts[3]))
    } else if (parts[0] == "S") {
        halt()
    } else if (parts[0] == "L" && parts.length == 2) {
        if (parts[1] == "HEART") basic.showIcon(IconNames.Heart, 0)
        else if (parts[1] == "HAPPY") basic.showIcon(IconNames.Happy, 0)
        else basic.showString(parts[1].charAt(0), 0)
    } else if (parts[0] == "T" && parts.length == 2) {
        music.playTone(parseInt(parts[1]), music.beat(BeatFraction.Quarter))
    }
    // "P" (ping) only feeds the watchdog
}

bluetooth.onBluetoothConnected(function () {
    basic.showIcon(IconNames.Yes, 0)
    bluetooth.uartWriteLine("R,1")
})

bluetooth.onBluetoothDisconnected(function () {
    halt()
    basic.showIcon(IconNames.No, 0)
})

bluetooth.onUartDataReceived(serial.delimiters(Delimiters.NewLine), function () {
    obey(bluetooth.uartReadUntil(serial.delimiters(Delimiters.NewLine)))
})

loops.everyInterval(50, function () {
    const now = control.millis()
    if (driveUntil > 0 && now >= driveUntil) {
        halt()
    } else if (moving && driveUntil == 0 && now - lastCommand > WATCHDOG_MS) {
        halt()
        bluetooth.uartWriteLine("E,watchdog")
    }
})

loops.everyInterval(30000, function () {
    // Cutebot has no battery sense pin; report the micro:bit's supply where a board has one.
    const mv = 3300
    lowBattery = mv < 3000
    bluetooth.uartWriteLine("V," + mv)
})

bluetooth.startUartService()
halt()
basic.showIcon(IconNames.Square, 0)
