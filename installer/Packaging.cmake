# The desktop application's place in menus and software centres: a .desktop file, an SVG icon
# and AppStream metainfo (validated by the installer tests).
if(FRAMESCOPE_WITH_QT)
    set(FRAMESCOPE_APP_ID "io.github.framescope.Framescope")
    install(FILES ${PROJECT_SOURCE_DIR}/installer/desktop/${FRAMESCOPE_APP_ID}.desktop
        DESTINATION share/applications)
    install(FILES ${PROJECT_SOURCE_DIR}/installer/desktop/${FRAMESCOPE_APP_ID}.svg
        DESTINATION share/icons/hicolor/scalable/apps)
    install(FILES ${PROJECT_SOURCE_DIR}/installer/desktop/${FRAMESCOPE_APP_ID}.metainfo.xml
        DESTINATION share/metainfo)
endif()

# CPack: `cmake --build <dir> --target package` makes a .deb and a .tar.gz.
set(CPACK_PACKAGE_NAME "framescope")
set(CPACK_PACKAGE_VENDOR "Framescope")
set(CPACK_PACKAGE_CONTACT "Framescope developers <dev@framescope.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "WebSocket test client and frame inspector")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_RESOURCE_FILE_README "${PROJECT_SOURCE_DIR}/README.md")
set(CPACK_GENERATOR "DEB;TGZ")
set(CPACK_PACKAGE_FILE_NAME "framescope-${PROJECT_VERSION}-${CMAKE_SYSTEM_PROCESSOR}")
set(CPACK_DEBIAN_PACKAGE_SECTION "net")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_STRIP_FILES ON)
include(CPack)
