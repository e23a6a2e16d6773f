//! DrugService calls.

use pharmacrm_shared::pb;

calls! {
    /// DrugService: categories, container units, drugs, the Excel import.
    DrugCalls = drugs via drugs {
        /// The category tree.
        fn list_categories(()) -> pb::ListCategoriesResponse;
        /// Adds a category.
        fn create_category(pb::CreateCategoryRequest) -> pb::Category;
        /// Renames, moves or reorders a category.
        fn update_category(pb::UpdateCategoryRequest) -> pb::Category;
        /// Deletes an empty category.
        fn delete_category(pb::DeleteRequest) -> ();
        /// The container units.
        fn list_units(pb::ListUnitsRequest) -> pb::ListUnitsResponse;
        /// Adds a unit.
        fn create_unit(pb::UnitInput) -> pb::ContainerUnit;
        /// Changes a unit.
        fn update_unit(pb::UpdateUnitRequest) -> pb::ContainerUnit;
        /// Archives or restores a unit.
        fn set_unit_active(pb::SetActiveRequest) -> pb::ContainerUnit;
        /// Deletes an unused unit.
        fn delete_unit(pb::DeleteRequest) -> ();
        /// One page of drugs.
        fn search_drugs(pb::SearchDrugsRequest) -> pb::SearchDrugsResponse;
        /// One drug.
        fn get_drug(pb::GetDrugRequest) -> pb::Drug;
        /// Adds a drug.
        fn create_drug(pb::DrugInput) -> pb::DrugResponse;
        /// Changes a drug.
        fn update_drug(pb::UpdateDrugRequest) -> pb::DrugResponse;
        /// Archives or restores a drug.
        fn set_drug_active(pb::SetActiveRequest) -> pb::Drug;
        /// Deletes a drug nothing refers to.
        fn delete_drug(pb::DeleteRequest) -> ();
    }
}
