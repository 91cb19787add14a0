import pytest

from tfdeblur.training.schedules import ConstantThenLinearDecay


def test_constant_then_linear_decay_to_zero():
    schedule = ConstantThenLinearDecay(1e-3, total_steps=100, decay_start=50)
    rates = [float(schedule(step)) for step in (0, 50, 75, 100, 120)]
    assert rates == pytest.approx([1e-3, 1e-3, 5e-4, 0.0, 0.0])


def test_decay_start_at_the_end_keeps_the_rate_constant():
    schedule = ConstantThenLinearDecay(2e-4, total_steps=10, decay_start=10)
    assert float(schedule(9)) == pytest.approx(2e-4)
    assert ConstantThenLinearDecay(**schedule.get_config()).get_config() == schedule.get_config()
