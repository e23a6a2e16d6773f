//! Messages of drug categories, container units, drugs and the Excel import.

/// (key, English, 简体中文), sorted by key.
pub const MESSAGES: &[(&str, &str, &str)] = &[
    (
        "category.move_into_own_subtree",
        "“{name}” cannot be moved under itself or one of its own sub-categories",
        "不能把“{name}”移到它自己或它的下级类别之下",
    ),
    (
        "category.name_separator",
        "must not contain /, \\, › or > (they separate levels in paths)",
        "不能包含 /、\\、› 或 >（它们用于分隔类别层级）",
    ),
    (
        "category.name_taken",
        "a category named “{name}” already exists at this level",
        "同一上级类别下已有名为“{name}”的类别",
    ),
    (
        "category.not_empty",
        "“{name}” still holds {drugs} drug(s) and {children} sub-categor(ies); move or delete them first",
        "“{name}”下还有 {drugs} 种药品和 {children} 个下级类别，请先移走或删除",
    ),
    (
        "category.not_found",
        "drug category not found",
        "药品类别不存在",
    ),
    (
        "category.parent_missing",
        "the parent category does not exist",
        "上级类别不存在",
    ),
    (
        "category.parent_required",
        "choose a parent: every category lives under 代理类 or 自产类",
        "请选择上级类别：所有类别都在代理类或自产类之下",
    ),
    (
        "category.top_level_delete",
        "“{name}” is a top-level class and cannot be deleted",
        "“{name}”是顶级分类，不能删除",
    ),
    (
        "category.top_level_stays",
        "“{name}” is a top-level class and stays at the top",
        "“{name}”是顶级分类，不能移到其他类别之下",
    ),
    (
        "drug.already_in_catalogue",
        "{name} {specification} by {manufacturer} is already in the catalogue",
        "药品库中已有 {name} {specification}（{manufacturer}）",
    ),
    (
        "drug.category_missing",
        "no such category",
        "药品类别不存在",
    ),
    (
        "drug.category_required",
        "choose a category",
        "请选择药品类别",
    ),
    (
        "drug.in_use",
        "{name} is referred to by orders or other records; archive it instead",
        "{name} 已被订单等记录引用，只能归档",
    ),
    ("drug.not_found", "drug not found", "药品不存在"),
    (
        "drug.sale_below_purchase",
        "the sale price {sale} is below the purchase price {purchase}",
        "售价 {sale} 低于进价 {purchase}",
    ),
    (
        "drug.unit_archived",
        "the container unit is archived",
        "该容器单位已归档",
    ),
    (
        "drug.unit_missing",
        "no such container unit",
        "容器单位不存在",
    ),
    (
        "drug.unit_required",
        "choose a container unit",
        "请选择容器单位",
    ),
    (
        "import.ambiguous_unit",
        "“{unit}” matches several units; write it as in the sheet 容器单位",
        "“{unit}”对应多个容器单位，请按“容器单位”工作表填写",
    ),
    (
        "import.bad_header",
        "the first row must be the template's headers: {headers}",
        "第一行必须是模板的表头：{headers}",
    ),
    (
        "import.duplicate_in_file",
        "the same drug (name, specification, manufacturer) is in the file twice",
        "文件中有重复的药品（通用名、规格、生产企业相同）",
    ),
    (
        "import.no_category",
        "no category “{category}” (see the sheet 药品类别)",
        "没有药品类别“{category}”（见“药品类别”工作表）",
    ),
    (
        "import.no_unit",
        "no container unit “{unit}” (see the sheet 容器单位)",
        "没有容器单位“{unit}”（见“容器单位”工作表）",
    ),
    (
        "import.too_many_rows",
        "has more than {max} rows; split it",
        "超过 {max} 行，请拆分后导入",
    ),
    (
        "unit.in_use",
        "{label} is used by {count} drug(s); archive it instead",
        "{label} 仍被 {count} 种药品使用，只能归档",
    ),
    (
        "unit.not_found",
        "container unit not found",
        "容器单位不存在",
    ),
    (
        "unit.taken",
        "the unit {label} already exists",
        "容器单位 {label} 已存在",
    ),
];
