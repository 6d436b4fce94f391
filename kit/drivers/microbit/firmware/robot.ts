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

// The LED images a lesson may name (kit/robot_api.py LED_PATTERNS: kit sends "quarter-note" as
// QUARTER_NOTE). MakeCode spells one icon EigthNote.
function showImage(name: string) {
    switch (name) {
        case "HEART": basic.showIcon(IconNames.Heart, 0); break
        case "SMALL_HEART": basic.showIcon(IconNames.SmallHeart, 0); break
        case "YES": basic.showIcon(IconNames.Yes, 0); break
        case "NO": basic.showIcon(IconNames.No, 0); break
        case "HAPPY": basic.showIcon(IconNames.Happy, 0); break
        case "SAD": basic.showIcon(IconNames.Sad, 0); break
        case "CONFUSED": basic.showIcon(IconNames.Confused, 0); break
        case "ANGRY": basic.showIcon(IconNames.Angry, 0); break
        case "ASLEEP": basic.showIcon(IconNames.Asleep, 0); break
        case "SURPRISED": basic.showIcon(IconNames.Surprised, 0); break
        case "SILLY": basic.showIcon(IconNames.Silly, 0); break
        case "FABULOUS": basic.showIcon(IconNames.Fabulous, 0); break
        case "MEH": basic.showIcon(IconNames.Meh, 0); break
        case "T_SHIRT": basic.showIcon(IconNames.TShirt, 0); break
        case "ROLLER_SKATE": basic.showIcon(IconNames.Rollerskate, 0); break
        case "DUCK": basic.showIcon(IconNames.Duck, 0); break
        case "HOUSE": basic.showIcon(IconNames.House, 0); break
        case "TORTOISE": basic.showIcon(IconNames.Tortoise, 0); break
        case "BUTTERFLY": basic.showIcon(IconNames.Butterfly, 0); break
        case "STICK_FIGURE": basic.showIcon(IconNames.StickFigure, 0); break
        case "GHOST": basic.showIcon(IconNames.Ghost, 0); break
        case "SWORD": basic.showIcon(IconNames.Sword, 0); break
        case "GIRAFFE": basic.showIcon(IconNames.Giraffe, 0); break
        case "SKULL": basic.showIcon(IconNames.Skull, 0); break
        case "UMBRELLA": basic.showIcon(IconNames.Umbrella, 0); break
        case "SNAKE": basic.showIcon(IconNames.Snake, 0); break
        case "RABBIT": basic.showIcon(IconNames.Rabbit, 0); break
        case "COW": basic.showIcon(IconNames.Cow, 0); break
        case "QUARTER_NOTE": basic.showIcon(IconNames.QuarterNote, 0); break
        case "EIGHTH_NOTE": basic.showIcon(IconNames.EigthNote, 0); break
        case "PITCHFORK": basic.showIcon(IconNames.Pitchfork, 0); break
        case "TARGET": basic.showIcon(IconNames.Target, 0); break
        case "TRIANGLE": basic.showIcon(IconNames.Triangle, 0); break
        case "LEFT_TRIANGLE": basic.showIcon(IconNames.LeftTriangle, 0); break
        case "CHESSBOARD": basic.showIcon(IconNames.Chessboard, 0); break
        case "DIAMOND": basic.showIcon(IconNames.Diamond, 0); break
        case "SMALL_DIAMOND": basic.showIcon(IconNames.SmallDiamond, 0); break
        case "SQUARE": basic.showIcon(IconNames.Square, 0); break
        case "SMALL_SQUARE": basic.showIcon(IconNames.SmallSquare, 0); break
        case "SCISSORS": basic.showIcon(IconNames.Scissors, 0); break
        default: basic.showString(name.charAt(0), 0)
    }
}

function obey(line: string) {
    const parts = line.split(",")
    lastCommand = control.millis()
    if (parts[0] == "D" && parts.length == 4) {
        drive(parseInt(parts[1]), parseInt(parts[2]), parseInt(parts[3]))
    } else if (parts[0] == "S") {
        halt()
    } else if (parts[0] == "L" && parts.length == 2) {
        showImage(parts[1])
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
