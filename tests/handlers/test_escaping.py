"""Names with <, > or & never break a message: the lists show them as typed, and Telegram accepts the HTML.

The fake Bot API parses HTML strictly as Telegram does, so an unescaped "<" would be refused there."""

from __future__ import annotations

from bot.tghtml import visible
from tests.handlers.test_registration_flow import open_year, register

ODD = "Lê <Văn> Tám & Co"
ODD_UNIT = "Phòng <Đào tạo> & NCKH"


async def test_a_name_with_markup_characters_shows_as_typed_in_the_lists(world):
    await open_year(world)
    await world.unit("DT", ODD_UNIT)
    tam = await world.staff(ODD, unit="DT")
    minh = await world.unit_head("Trần Văn Minh", unit="DT")
    lan = await world.secretary("Lê Thị Lan")
    await register(tam)

    await minh.send("/pending")
    assert ODD in visible(minh.last_text(), strict=True)
    await lan.send("/registrations")
    await lan.click("Theo đơn vị")
    await lan.click(ODD_UNIT)
    shown = visible(lan.last_text(), strict=True)
    assert ODD in shown and ODD_UNIT in shown


async def test_a_unit_name_with_markup_characters_shows_as_typed_when_its_window_is_extended(world):
    await open_year(world)
    await world.unit("DT", ODD_UNIT)
    await world.staff(ODD, unit="DT")
    lan = await world.secretary("Lê Thị Lan")
    await lan.send("/regwindow")
    await lan.click(ODD_UNIT)
    assert ODD_UNIT in visible(lan.last_text(), strict=True)  # "Gia hạn đăng ký cho Phòng <Đào tạo> & NCKH"
