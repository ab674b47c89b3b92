"""Japanese text in charts is drawn in IPAexGothic, also after seaborn themes."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib import font_manager

from helpers.plotting import FONT_NAME, font_path, use_style


def test_japanese_text_renders_in_ipaexgothic(tmp_path):
    use_style()
    fig, ax = plt.subplots()
    title = ax.set_title("感情曲線：配送で落ち込む")
    ax.set_xlabel("ステップ")
    fig.savefig(tmp_path / "fig.png")
    used = font_manager.findfont(title.get_fontproperties(), fallback_to_default=False)
    assert used == str(font_path())
    assert font_manager.FontProperties(fname=used).get_name() == FONT_NAME
    plt.close(fig)


def test_use_style_survives_a_later_call_and_is_idempotent():
    use_style()
    use_style(context="paper")
    assert plt.rcParams["font.sans-serif"][0] == FONT_NAME
    assert plt.rcParams["axes.unicode_minus"] is False


def test_seaborn_theme_keeps_the_japanese_font(tmp_path):
    import seaborn as sns

    use_style(seaborn_theme=True)
    fig, ax = plt.subplots()
    sns.barplot(x=["配送", "開封"], y=[1, 2], ax=ax)
    label = ax.get_xticklabels()[0]
    used = font_manager.findfont(label.get_fontproperties(), fallback_to_default=False)
    assert used == str(font_path())
    plt.close(fig)
    use_style()
