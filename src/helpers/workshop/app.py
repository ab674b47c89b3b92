"""The workshop's widget app: step editors and the live emotion curve, friction points and LTV what-if."""

from __future__ import annotations

import io as _stdio
import time
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from helpers import emotion, friction, io, journey_map, labels, ltv, schemas
from helpers.workshop.render import escape_html, friction_html, message_html, whatif_html
from helpers.workshop.worksheet import (
    SaveResult,
    WorksheetLoad,
    blank_worksheet,
    default_save_path,
    load_worksheet,
    save_worksheet,
    tidy_journey,
)

# ----------------------------------------------------------------------------
# The widgets
# ----------------------------------------------------------------------------

#: Drop-down options of expectation and evaluation: 0 stands for blank.
_SCORE_OPTIONS: tuple[tuple[str, int], ...] = (("－", 0), *((str(v), v) for v in range(1, 6)))

_ROW_LAYOUT = dict(align_items="center", width="100%")


class StepEditor:
    """The widgets of one row of the step list: stage, touchpoint, emotion, expectation, evaluation.

    Rows are created once and re-used: :meth:`show` puts a journey step into
    the row.  The emotion slider carries the CSS class
    ``kando-emotion-step-<position>`` (position 1, 2, ... in the list).

    Attributes
    ----------
    row : int
        Index label of the step's row in :attr:`JourneyWorkshop.journey`.
    step : int
        Step number.
    stage : ipywidgets.Dropdown
    touchpoint : ipywidgets.Text
        The step's touchpoint; editing it renames the step.
    emotion : ipywidgets.IntSlider
        -5..+5.
    expectation, evaluation : ipywidgets.Dropdown
        1..5, or 0 for blank.
    remove : ipywidgets.Button
    box : ipywidgets.HBox
        The row as shown.
    """

    def __init__(self, position: int):
        import ipywidgets as widgets

        self.row, self.step = -1, position
        self.number = widgets.HTML(layout=widgets.Layout(width="28px"))
        self.stage = widgets.Dropdown(layout=widgets.Layout(width="165px"))
        self.touchpoint = widgets.Text(continuous_update=False, layout=widgets.Layout(width="170px"))
        self.emotion = widgets.IntSlider(
            value=0,
            min=emotion.EMOTION_MIN,
            max=emotion.EMOTION_MAX,
            step=1,
            continuous_update=False,
            readout=True,
            layout=widgets.Layout(width="230px"),
        )
        self.emotion.add_class(f"kando-emotion-step-{position}")
        self.expectation = widgets.Dropdown(options=_SCORE_OPTIONS, value=0, layout=widgets.Layout(width="62px"))
        self.evaluation = widgets.Dropdown(options=_SCORE_OPTIONS, value=0, layout=widgets.Layout(width="62px"))
        self.remove = widgets.Button(description="削除", layout=widgets.Layout(width="64px"))
        self.box = widgets.HBox(
            [self.number, self.stage, self.touchpoint, self.emotion, self.expectation, self.evaluation, self.remove],
            layout=widgets.Layout(**_ROW_LAYOUT),
        )

    def show(self, row: int, values: pd.Series, stage_options: list[str]) -> None:
        """Put journey row ``row`` (its ``values``) into the widgets."""
        self.row, self.step = row, int(values["step"])
        self.number.value = f"<b>{self.step}</b>"
        if list(self.stage.options) != stage_options:
            self.stage.options = stage_options
        self.stage.value = str(values["stage"])
        self.touchpoint.value = str(values["touchpoint"])
        self.emotion.value = int(values["emotion"])
        self.expectation.value = _score(values.get("expectation"))
        self.evaluation.value = _score(values.get("evaluation"))
        self.remove.tooltip = f"ステップ {self.step} を削除"


def _score(value) -> int:
    return 0 if value is None or pd.isna(value) else int(value)


#: Most entries kept by each result cache of the workshop.
_CACHE_SIZE = 256


def _remember(cache: dict, key, compute):
    """Value of ``key`` in a bounded cache, computing and storing it when absent."""
    if key not in cache:
        if len(cache) >= _CACHE_SIZE:
            cache.pop(next(iter(cache)))
        cache[key] = compute()
    return cache[key]


class JourneyWorkshop:
    """Interactive journey worksheet editor with live curve, friction and LTV.

    Build it in a notebook and show it (``app`` as the last expression of a
    cell).  Every change of a widget updates :attr:`journey` and then the
    results below, which tests and benchmarks read directly.

    Parameters
    ----------
    dataset : helpers.io.Dataset
        The customer data (``orders``, and ``touchpoint_ratings`` for the
        friction evidence and the LTV what-if), from
        :func:`helpers.io.load_data`.
    worksheet : str or pathlib.Path, optional
        Journey worksheet to start from; by default the ``journey`` file of
        the dataset's folder, and a blank worksheet when there is none.
    output_dir : str or pathlib.Path
        Where the edited worksheet is saved when it came from the bundled
        sample (see :func:`default_save_path`); relative to the project root.
    threshold, min_drop, low_rating_max, horizon_days
        Friction detection and evidence, as for
        :func:`helpers.friction.friction_table` (notebook 05).
    share : float
        Initial share (0..1) of the low raters assumed fixed.
    cost : int
        Initial cost of fixing one friction point, in yen.
    margin : float
        Gross margin of the LTV (1.0: revenue LTV), as for
        :func:`helpers.ltv.friction_scenarios` (notebook 06).
    blank_persona : str
        Persona name offered for a blank worksheet.
    brand : str, optional
        Brand name shown in the heading.

    Attributes
    ----------
    journey : pandas.DataFrame
        The worksheet being edited (all personas and scenarios), tidy.
    steps : list of StepEditor
        The step rows of the persona and scenario on screen.
    curves : pandas.DataFrame
        :func:`helpers.emotion.emotion_curves` of the persona on screen
        (both scenarios).
    friction : pandas.DataFrame
        :func:`helpers.friction.friction_table` of the persona and scenario
        on screen.
    whatif : helpers.ltv.FrictionScenarios or None
        :func:`helpers.ltv.friction_scenarios` for the chosen friction
        points and share (None without ratings).
    roi : pandas.DataFrame or None
        :func:`helpers.ltv.improvement_roi` of :attr:`whatif` (None when no
        friction point is chosen or the cost is not positive).
    timings : dict of str to float
        Seconds the last update spent on ``friction`` (table), ``ltv`` (what-if),
        ``curve`` (curves and chart) and in ``total``.
    widget : ipywidgets.VBox
        The whole workshop.
    """

    def __init__(
        self,
        dataset: io.Dataset,
        worksheet: str | Path | None = None,
        *,
        output_dir: str | Path = "outputs",
        threshold: float = 0,
        min_drop: float = 2,
        low_rating_max: int = 2,
        horizon_days: int = 180,
        share: float = 0.5,
        cost: int = 1_000_000,
        margin: float = 1.0,
        blank_persona: str = "ペルソナ1",
        brand: str | None = None,
    ):
        import ipywidgets as widgets

        from helpers.plotting import use_style

        use_style()
        self.dataset = dataset
        self.as_of = dataset.as_of
        self.orders = dataset.require("orders")
        self.ratings = dataset.touchpoint_ratings
        self.output_dir = io.resolve_path(output_dir)
        self.brand = brand
        self.worksheet_path: Path | None = None
        self.friction_options = dict(
            threshold=threshold, min_drop=min_drop, low_rating_max=low_rating_max, horizon_days=horizon_days
        )
        self.margin = float(margin)
        # what does not change while editing, computed once: per-customer
        # lifetimes, the yearly intake and the low raters' behaviour per touchpoint
        self._lifetimes = ltv.customer_lifetimes(self.orders, self.as_of)
        self._new_customers_per_year = ltv.annual_new_customers(self._lifetimes, self.as_of)
        self._effects = (
            friction.rating_effects(self.ratings, self.orders, self.as_of, low_rating_max, horizon_days)
            if self.ratings is not None and len(self.ratings)
            else None
        )
        self._rating_curve = (
            emotion.rating_curve(self.ratings) if self.ratings is not None and len(self.ratings) else None
        )
        self._friction_cache: dict = {}
        self._whatif_cache: dict = {}
        self._chart_cache: dict = {}
        self._map_cache: dict = {}
        self._suspended = 0
        self._user_chose_points = False
        self.steps: list[StepEditor] = []
        self._rows: list[StepEditor] = []  # created once, re-used for every curve
        self.curves = self.friction = None
        self.whatif = self.roi = None
        self.timings: dict[str, float] = {}

        if worksheet is None:
            worksheet = io.find_table_file(dataset.data_dir, "journey")
        layout = widgets.Layout

        # --- loading
        self.path = widgets.Text(
            value=str(worksheet) if worksheet else "",
            description="ファイル",
            layout=layout(width="520px"),
        )
        self.load_button = widgets.Button(description="読み込む", button_style="primary", icon="folder-open")
        self.blank_name = widgets.Text(value=blank_persona, description="ペルソナ名", layout=layout(width="300px"))
        self.blank_button = widgets.Button(description="空のワークシートで始める", layout=layout(width="220px"))
        self.load_status = widgets.HTML()
        # --- choosing what to edit
        self.persona = widgets.Dropdown(description="ペルソナ", layout=layout(width="420px"))
        self.scenario = widgets.ToggleButtons(
            options=[(labels.label(s, "ja"), s) for s in labels.SCENARIOS],
            value="as_is",
            description="シナリオ",
        )
        self.steps_box = widgets.VBox()
        self.copy_button = widgets.Button(layout=layout(width="320px", display="none"))
        # --- adding a step
        self.add_position = widgets.Dropdown(description="挿入位置", layout=layout(width="210px"))
        self.add_stage = widgets.Dropdown(description="ステージ", layout=layout(width="260px"))
        self.add_touchpoint = widgets.Text(
            description="タッチポイント",
            placeholder="例: 同梱チラシ",
            layout=layout(width="320px"),
            style={"description_width": "96px"},
        )
        self.add_button = widgets.Button(description="ステップを追加", icon="plus")
        self.edit_status = widgets.HTML()
        # --- results
        self.chart = widgets.Image(format="png", layout=layout(width="100%", max_width="760px"))
        self.map_image = widgets.Image(format="png", layout=layout(width="100%", max_width="1200px"))
        self.friction_html = widgets.HTML()
        self.fix_points = widgets.SelectMultiple(
            description="改善する接点",
            rows=5,
            layout=layout(width="480px"),
            style={"description_width": "110px"},
        )
        self.share = widgets.FloatSlider(
            value=share,
            min=0.0,
            max=1.0,
            step=0.05,
            readout_format=".0%",
            continuous_update=False,
            description="改善できる割合",
            style={"description_width": "110px"},
            layout=layout(width="480px"),
        )
        self.cost = widgets.BoundedIntText(
            value=int(cost),
            min=0,
            max=10**12,
            step=100_000,
            description="費用 (1か所・円)",
            style={"description_width": "110px"},
            layout=layout(width="300px"),
        )
        self.ltv_html = widgets.HTML()
        # --- saving
        self.save_path = widgets.Text(description="保存先", layout=layout(width="520px"))
        self.save_headers = widgets.ToggleButtons(
            options=[("英語の列名 (snake_case)", "snake"), ("日本語の見出し (テンプレート形式)", "ja")],
            value="snake",
            description="見出し",
            style={"button_width": "230px"},
        )
        self.overwrite = widgets.Checkbox(value=False, description="既存のファイルを上書きする", indent=False)
        self.save_button = widgets.Button(description="保存する", button_style="success", icon="save")
        self.save_status = widgets.HTML()

        self.widget = self._layout()
        self.widget.add_class("kando-app")
        self._connect()
        self._start(worksheet, blank_persona)

    # ------------------------------------------------------------------ layout
    def _layout(self):
        import ipywidgets as widgets

        def section(title: str) -> widgets.HTML:
            return widgets.HTML(f'<h4 style="margin:10px 0 4px 0">{escape_html(title)}</h4>')

        header = widgets.HBox(
            [
                widgets.HTML(f"<b>{escape_html(text)}</b>", layout=widgets.Layout(width=width))
                for text, width in (
                    ("No.", "28px"),
                    (labels.label("stage"), "165px"),
                    (labels.label("touchpoint"), "170px"),
                    ("感情 (−5〜+5)", "230px"),
                    (labels.label("expectation"), "62px"),
                    (labels.label("evaluation"), "62px"),
                )
            ]
        )
        load = widgets.VBox(
            [
                section("1. ワークシートを選ぶ"),
                widgets.HBox([self.path, self.load_button]),
                widgets.HBox([self.blank_name, self.blank_button]),
                self.load_status,
            ]
        )
        edit = widgets.VBox(
            [
                section("2. ジャーニーを編集する"),
                self.persona,
                self.scenario,
                header,
                self.steps_box,
                self.copy_button,
                widgets.HBox([self.add_position, self.add_stage]),
                widgets.HBox([self.add_touchpoint, self.add_button]),
                self.edit_status,
            ],
            layout=widgets.Layout(width="56%", min_width="560px"),
        )
        curve = widgets.VBox([section("感情曲線（現状と理想）"), self.chart], layout=widgets.Layout(width="44%"))
        friction_box = widgets.VBox(
            [section("3. フリクションポイント（ノートブック05と同じ判定）"), self.friction_html],
            layout=widgets.Layout(width="56%", min_width="560px"),
        )
        ltv_box = widgets.VBox(
            [section("4. LTV試算: フリクションを改善したら"), self.fix_points, self.share, self.cost, self.ltv_html],
            layout=widgets.Layout(width="44%"),
        )
        save = widgets.VBox(
            [
                section("5. 保存する（次の kando run で使われます）"),
                self.save_path,
                self.save_headers,
                widgets.HBox([self.overwrite, self.save_button]),
                self.save_status,
            ]
        )
        return widgets.VBox(
            [
                widgets.HTML(
                    "<h3 style='margin:0'>ジャーニー・ワークショップ"
                    + (f"（{escape_html(self.brand)}）" if self.brand else "")
                    + "</h3>"
                ),
                load,
                widgets.HBox([edit, curve], layout=widgets.Layout(align_items="flex-start")),
                widgets.HBox([friction_box, ltv_box], layout=widgets.Layout(align_items="flex-start")),
                widgets.VBox([section("ジャーニーマップ（レポートと同じ図）"), self.map_image]),
                save,
            ],
            layout=widgets.Layout(width="100%"),
        )

    def _repr_mimebundle_(self, **kwargs):
        """Show the workshop when the app is the last expression of a cell."""
        return self.widget._repr_mimebundle_(**kwargs)

    # ------------------------------------------------------------------ wiring
    def _connect(self) -> None:
        self.load_button.on_click(lambda _: self.load(self.path.value))
        self.blank_button.on_click(lambda _: self.start_blank(self.blank_name.value))
        self.persona.observe(self._on_view_change, names="value")
        self.scenario.observe(self._on_view_change, names="value")
        self.copy_button.on_click(lambda _: self.copy_other_scenario())
        self.add_button.on_click(
            lambda _: self.add_step(self.add_position.value, self.add_stage.value, self.add_touchpoint.value)
        )
        self.fix_points.observe(self._on_points_change, names="value")
        self.share.observe(self._on_whatif_change, names="value")
        self.cost.observe(self._on_whatif_change, names="value")
        self.save_button.on_click(lambda _: self.save())

    def _start(self, worksheet, blank_persona: str) -> None:
        if worksheet:
            loaded = self.load(worksheet)
            if loaded.ok:
                return
            # keep the problems on screen and give a blank sheet to work on
            problems = self.load_status.value
            self.start_blank(blank_persona)
            self.load_status.value = problems + message_html("代わりに空のワークシートで始めます。")
        else:
            self.start_blank(blank_persona)
            self.load_status.value = message_html(
                f"{self.dataset.data_dir} に journey.csv / journey.xlsx がないため、空のワークシートで始めます。"
            )

    # ------------------------------------------------------------------ state
    @contextmanager
    def _quiet(self):
        """Hold back edits and updates while the program sets several widgets."""
        self._suspended += 1
        try:
            yield
        finally:
            self._suspended -= 1

    def _view_mask(self, scenario: str | None = None) -> pd.Series:
        scenario = self.scenario.value if scenario is None else scenario
        return (self.journey["persona"] == self.persona.value) & (self.journey["scenario"] == scenario)

    def persona_rows(self) -> pd.DataFrame:
        """Journey rows of the persona on screen, both scenarios."""
        return self.journey[self.journey["persona"] == self.persona.value]

    def _set_journey(self, frame: pd.DataFrame) -> None:
        """Start editing ``frame``: a new worksheet resets messages and the what-if choice."""
        self.journey = tidy_journey(frame)
        self._user_chose_points = False
        self.edit_status.value = self.save_status.value = ""
        personas = list(pd.unique(self.journey["persona"].astype(str)))
        with self._quiet():
            self.persona.options = personas
            self.persona.value = personas[0]
            self.scenario.value = "as_is" if self._view_mask("as_is").any() else "to_be"
        self._rebuild()

    def load(self, path: str | Path) -> WorksheetLoad:
        """Load a worksheet file; on problems, show them and keep the current journey.

        Parameters
        ----------
        path : str or pathlib.Path
            ``.csv`` or ``.xlsx`` journey worksheet.

        Returns
        -------
        WorksheetLoad
        """
        loaded = (
            load_worksheet(path)
            if str(path).strip()
            else WorksheetLoad(
                None,
                schemas.empty_frame("journey"),
                [io.Problem("-", None, None, None, "ファイル名を入力してください", "enter a file name")],
            )
        )
        if not loaded.ok:
            self.load_status.value = message_html(
                "読み込めませんでした。ファイルを直してからもう一度読み込んでください。\n" + loaded.format("ja"),
                error=True,
            )
            return loaded
        self.worksheet_path = loaded.path
        self.path.value = str(loaded.path)
        self._set_journey(loaded.frame)
        self.save_path.value = str(default_save_path(loaded.path, self.dataset.data_dir, self.output_dir))
        personas = self.persona.options
        note = "\n".join(loaded.notes)
        self.load_status.value = message_html(
            f"{loaded.path.name} を読み込みました: ペルソナ {len(personas)} 人、{len(self.journey)} 行。"
            + (f"\n{note}" if note else "")
        )
        return loaded

    def start_blank(self, persona: str) -> None:
        """Start a blank worksheet for ``persona``: one as-is step per standard stage."""
        if not str(persona).strip():
            self.load_status.value = message_html("ペルソナ名を入力してください。", error=True)
            return
        self.worksheet_path = None
        self._set_journey(blank_worksheet(persona))
        self.save_path.value = str(default_save_path(None, self.dataset.data_dir, self.output_dir))
        self.load_status.value = message_html(
            f"空のワークシートで始めます（ペルソナ「{persona}」、{len(self.journey)} ステップ）。"
            "タッチポイント名はステージ名で仮置きしています。書き換えてください。"
        )

    # ------------------------------------------------------------------ step rows
    def _stage_options(self) -> list[str]:
        present = [s for s in pd.unique(self.journey["stage"].astype(str)) if s not in labels.JOURNEY_STAGES]
        return [*labels.JOURNEY_STAGES, *present]

    def _rebuild(self) -> None:
        """Show the steps of the persona and scenario on screen in the step rows, then update."""
        import ipywidgets as widgets

        view = self.journey[self._view_mask()].sort_values("step")
        options = self._stage_options()
        while len(self._rows) < len(view):
            self._rows.append(self._new_row(len(self._rows) + 1))
        self.steps = self._rows[: len(view)]
        with self._quiet():
            for editor, (row, values) in zip(self.steps, view.iterrows(), strict=False):
                editor.show(row, values, options)
        self.steps_box.children = [e.box for e in self.steps]
        other = "to_be" if self.scenario.value == "as_is" else "as_is"
        can_copy = not self.steps and self._view_mask(other).any()
        self.copy_button.description = f"「{labels.label(other)}」をコピーして始める"
        self.copy_button.layout.display = "" if can_copy else "none"
        if not self.steps:
            self.steps_box.children = [widgets.HTML(message_html("このシナリオにはまだステップがありません。"))]
        with self._quiet():
            n = len(self.steps)
            after = [(f"{k} の後" + ("（末尾）" if k == n else ""), k) for k in range(1, n + 1)]
            self.add_position.options = [("先頭", 0), *after]
            self.add_position.value = n
            self.add_stage.options = options
            self.add_stage.value = str(view["stage"].iloc[-1]) if n else options[0]
        self.refresh()

    def _new_row(self, position: int) -> StepEditor:
        editor = StepEditor(position)
        editor.emotion.observe(lambda change: self._edit(editor, "emotion", change["new"]), names="value")
        editor.expectation.observe(lambda change: self._edit(editor, "expectation", change["new"]), names="value")
        editor.evaluation.observe(lambda change: self._edit(editor, "evaluation", change["new"]), names="value")
        editor.stage.observe(lambda change: self._edit(editor, "stage", change["new"]), names="value")
        editor.touchpoint.observe(lambda change: self._rename(editor, change["new"]), names="value")
        editor.remove.on_click(lambda _: self.remove_step(editor.step))
        return editor

    def _edit(self, editor: StepEditor, column: str, value) -> None:
        if self._suspended:
            return  # a row being filled by show(), not a user's edit
        if column in ("expectation", "evaluation") and value == 0:
            value = pd.NA
        self.journey.at[editor.row, column] = value
        self.edit_status.value = ""
        self.refresh()

    def _rename(self, editor: StepEditor, name: str) -> None:
        if self._suspended:
            return
        name = str(name).strip()
        if not name:
            with self._quiet():
                editor.touchpoint.value = str(self.journey.at[editor.row, "touchpoint"])
            self.edit_status.value = message_html("タッチポイント名は空にできません。", error=True)
            return
        self._edit(editor, "touchpoint", name)

    def _renumber(self, rows: list) -> None:
        """Give the listed rows (one curve, in order) the steps 1..n, then tidy."""
        self.journey.loc[rows, "step"] = range(1, len(rows) + 1)
        self.journey = tidy_journey(self.journey)

    def remove_step(self, step: int) -> None:
        """Remove step ``step`` of the curve on screen and renumber the rest."""
        view = self.journey[self._view_mask()].sort_values("step")
        gone = view.index[view["step"] == step]
        self.journey = self.journey.drop(index=gone)
        self._renumber([r for r in view.index if r not in gone])
        self.edit_status.value = message_html(f"ステップ {step} を削除しました。")
        self._rebuild()

    def add_step(self, after: int, stage: str, touchpoint: str, emotion: int = 0) -> None:
        """Insert a step after step ``after`` (0: first) of the curve on screen.

        Parameters
        ----------
        after : int
            Step number the new step follows; 0 puts it first.
        stage : str
            Its stage.
        touchpoint : str
            Its touchpoint (must not be blank).
        emotion : int
            Its emotion, -5..+5.
        """
        touchpoint = str(touchpoint).strip()
        if not touchpoint:
            self.edit_status.value = message_html("追加するタッチポイント名を入力してください。", error=True)
            return
        view = self.journey[self._view_mask()].sort_values("step")
        new_row = self.journey.index.max() + 1 if len(self.journey) else 0
        row = pd.DataFrame(
            {
                "persona": [self.persona.value],
                "scenario": [self.scenario.value],
                "step": [0],
                "stage": [stage],
                "touchpoint": [touchpoint],
                "emotion": [int(emotion)],
            },
            index=[new_row],
        )
        self.journey = pd.concat([self.journey, tidy_journey(row).set_axis([new_row])])
        order = list(view.index)
        order.insert(int(after), new_row)
        self._renumber(order)
        self.add_touchpoint.value = ""
        self.edit_status.value = message_html(f"「{touchpoint}」をステップ {int(after) + 1} に追加しました。")
        self._rebuild()

    def copy_other_scenario(self) -> None:
        """Fill the empty scenario on screen with a copy of the persona's other scenario."""
        target = self.scenario.value
        other = "to_be" if target == "as_is" else "as_is"
        if self._view_mask(target).any() or not self._view_mask(other).any():
            return
        copy = self.journey[self._view_mask(other)].assign(scenario=target)
        self.journey = tidy_journey(pd.concat([self.journey, copy]))
        self.edit_status.value = message_html(f"「{labels.label(other)}」をコピーしました。")
        self._rebuild()

    def _on_view_change(self, change) -> None:
        if not self._suspended:
            self.edit_status.value = ""
            self._rebuild()

    # ------------------------------------------------------------------ results
    def refresh(self) -> None:
        """Recompute and redraw the curve, the friction table and the LTV what-if."""
        if self._suspended:
            return
        # the numbers first, the chart last: the tables reach the page before the picture
        start = time.perf_counter()
        rows = self.persona_rows()
        self.friction = self._friction_table(rows)
        self.friction_html.value = friction_html(self.friction, self.friction_options["low_rating_max"])
        ranked = time.perf_counter()
        self._offer_points()
        self._update_whatif()
        valued = time.perf_counter()
        self.curves = emotion.emotion_curves(rows)
        self.chart.value = self._chart_png()
        drawn = time.perf_counter()
        self.map_image.value = self._map_png(rows)
        done = time.perf_counter()
        self.timings = {
            "friction": ranked - start,
            "ltv": valued - ranked,
            "curve": drawn - valued,
            "map": done - drawn,
            "total": done - start,
        }

    def _chart_png(self) -> bytes:
        """The persona's curves as PNG, redrawn only when what they show changed."""
        shown = self.curves[["scenario", "step", "stage", "touchpoint", "emotion"]]
        key = (str(self.persona.value), pd.util.hash_pandas_object(shown, index=False).to_numpy().tobytes())
        return _remember(self._chart_cache, key, self._draw_chart)

    def _draw_chart(self) -> bytes:
        import matplotlib as mpl
        from matplotlib.figure import Figure

        from helpers.plotting.emotion import plot_emotion_curve

        # fixed margins and no layout engine: savefig then draws once, not twice
        with mpl.rc_context({"figure.constrained_layout.use": False, "figure.autolayout": False}):
            figure = Figure(figsize=(7.6, 4.4))
        axes = figure.add_axes((0.075, 0.17, 0.915, 0.76))
        plot_emotion_curve(self.curves, str(self.persona.value), ax=axes, lang="ja")
        buffer = _stdio.BytesIO()
        # light compression: the image only travels to the browser next door
        figure.savefig(buffer, format="png", dpi=100, pil_kwargs={"compress_level": 1})
        return buffer.getvalue()

    def journey_map_steps(self, rows: pd.DataFrame | None = None) -> pd.DataFrame | None:
        """The journey map of the persona and scenario on screen (as in notebook 06); ``None`` without steps."""
        rows = self.persona_rows() if rows is None else rows
        shown = rows[self._view_mask().loc[rows.index]]
        if shown.empty:
            return None
        gains = None
        if self.whatif is not None:
            gains = self.whatif.scenarios.drop(index=ltv.COMBINED, errors="ignore")["ltv_delta"]
        return journey_map.journey_map_steps(
            shown,
            str(self.persona.value),
            self.scenario.value,
            rating_curve=self._rating_curve,
            friction_points=self.friction,
            ltv_gains=gains,
            threshold=self.friction_options["threshold"],
            min_drop=self.friction_options["min_drop"],
        )

    def _map_png(self, rows: pd.DataFrame) -> bytes:
        """The journey map as PNG, redrawn only when what it shows changed."""
        steps = self.journey_map_steps(rows)
        if steps is None:
            return b""
        key = (str(self.persona.value), self.scenario.value,
               pd.util.hash_pandas_object(steps.astype(str), index=False).to_numpy().tobytes())
        return _remember(self._map_cache, key, lambda: self._draw_map(steps))

    def _draw_map(self, steps: pd.DataFrame) -> bytes:
        import matplotlib as mpl
        from matplotlib.figure import Figure

        from helpers.plotting.journey_map import JOURNEY_MAP_FIGSIZE, plot_journey_map

        with mpl.rc_context({"figure.constrained_layout.use": False, "figure.autolayout": False}):
            figure = Figure(figsize=JOURNEY_MAP_FIGSIZE)
        axes = figure.add_axes((0.01, 0.01, 0.98, 0.94))
        plot_journey_map(steps, ax=axes, persona=str(self.persona.value), scenario=self.scenario.value, lang="ja")
        buffer = _stdio.BytesIO()
        figure.savefig(buffer, format="png", dpi=90, pil_kwargs={"compress_level": 1})
        return buffer.getvalue()

    def _friction_table(self, rows: pd.DataFrame) -> pd.DataFrame:
        # the table depends on these columns of the persona's curve only
        used = rows.loc[self._view_mask().loc[rows.index], ["step", "stage", "touchpoint", "emotion", "improvement"]]
        content = pd.util.hash_pandas_object(used, index=False).to_numpy().tobytes()
        key = (str(self.persona.value), self.scenario.value, content)
        return _remember(
            self._friction_cache,
            key,
            lambda: friction.friction_table(
                rows,
                self.ratings,
                self.orders,
                self.as_of,
                scenario=self.scenario.value,
                effects=self._effects,
                **self.friction_options,
            ),
        )

    def _offer_points(self) -> None:
        """Offer the friction points' touchpoints for the what-if, keeping the user's choice."""
        table = self.friction
        points = list(dict.fromkeys(table["touchpoint"].astype(str)))
        # evidence in the words of the friction table (確認 / 確認されず / 未検証), from the codes
        words = [labels.label(code, "ja", "confirmed") for code in table["confirmed"]]
        evidence = dict(zip(table["touchpoint"].astype(str), words, strict=False))
        options = [(f"{t}（{evidence[t]}）", t) for t in points]
        if self._user_chose_points:
            chosen = [t for t in self.fix_points.value if t in points]
        else:
            # notebook 06's default: the confirmed friction points (else the most urgent one)
            chosen = ltv.confirmed_touchpoints(table) or points[:1]
        with self._quiet():
            if list(self.fix_points.options) != options:
                self.fix_points.options = options
            self.fix_points.value = tuple(chosen)

    def _on_points_change(self, change) -> None:
        if not self._suspended:
            self._user_chose_points = True
            self._update_whatif()

    def _on_whatif_change(self, change) -> None:
        if not self._suspended:
            self._update_whatif()

    def _update_whatif(self) -> None:
        if self.ratings is None or len(self.ratings) == 0:
            self.whatif = self.roi = None
            self.ltv_html.value = message_html(
                "touchpoint_ratings.csv がないため、LTVの試算はできません（低評価者が分からないため）。"
            )
            return
        chosen = tuple(self.fix_points.value)
        share = float(self.share.value)
        self.whatif = _remember(
            self._whatif_cache,
            (chosen, share),
            lambda: ltv.friction_scenarios(
                self._lifetimes,
                self.ratings,
                list(chosen),
                share=share,
                low_rating_max=self.friction_options["low_rating_max"],
                as_of=self.as_of,
                margin=self.margin,
            ),
        )
        cost = int(self.cost.value)
        self.roi = ltv.improvement_roi(self.whatif, cost, self._new_customers_per_year) if chosen and cost > 0 else None
        self.ltv_html.value = whatif_html(self.whatif, self.roi, self._new_customers_per_year)

    # ------------------------------------------------------------------ saving
    def save(self) -> SaveResult:
        """Save the journey to :attr:`save_path` in the chosen header style.

        An existing file is replaced only when "上書きする" is ticked; the
        tick is cleared after each save, so every overwrite is confirmed.

        Returns
        -------
        SaveResult
        """
        result = save_worksheet(
            self.journey, self.save_path.value, headers=self.save_headers.value, overwrite=self.overwrite.value
        )
        text = result.message_ja
        if result.problems:
            text += "\n" + "\n".join(p.format("ja") for p in result.problems)
        if result.saved:
            self.overwrite.value = False
            used = io.find_table_file(result.path.parent, "journey")
            if result.path.stem == "journey" and used is not None and used != result.path:
                text += (
                    f"\n注意: 同じフォルダに {used.name} があるため、kando run は {used.name} を使います。"
                    f"{result.path.name} を使うには {used.name} を移動してください。"
                )
            elif result.path.stem != "journey":
                text += "\nkando run で使うには、データフォルダに journey.csv / journey.xlsx の名前で置いてください。"
        self.save_status.value = message_html(text, error=not result.saved)
        return result
